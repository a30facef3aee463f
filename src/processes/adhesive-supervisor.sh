# The supervisor of one adhesive runner (see supervisor.ts). POSIX sh, run as
# `sh adhesive-supervisor.sh GRACE_MS`: it starts in about a millisecond of
# CPU, where a node process took 40 (every run with a command paid that, issue
# 20's start-up). Its name is in its command line, for ps. It reads one line
# per change on stdin:
#   +g PGID, -g PGID   a process group of the runner's running commands
#   +f PATH, -f PATH   a secret file, PATH as \0ooo octal escapes of its bytes
#                      (any byte a path may hold, a newline too, survives)
# End of file means the runner is gone (exited, crashed or killed with
# SIGKILL: the kernel closes its end of the pipe in every case), so the files
# still listed are removed and the groups get SIGTERM, then SIGKILL after the
# grace period, and the supervisor exits.
set -f
grace_ms=${1:-2000}
# started in its own session: a terminal's Ctrl-C or hang-up is for the runner, which then closes the pipe
trap '' INT HUP TERM
# sets as words between spaces: " 12 34 "
groups=' '
files=' '

while IFS= read -r line; do
  value=${line#?? }
  case $line in
    '+g '*)
      # never 0 or 1: kill -- -1 would signal every process of the user
      case $value in '' | *[!0-9]* | 0 | 1) ;; *) case $groups in *" $value "*) ;; *) groups="$groups$value " ;; esac ;; esac ;;
    '-g '*)
      case $groups in *" $value "*) groups="${groups%% "$value" *} ${groups#* "$value" }" ;; esac ;;
    '+f '*)
      case $files in *" $value "*) ;; *) files="$files$value " ;; esac ;;
    '-f '*)
      case $files in *" $value "*) files="${files%% "$value" *} ${files#* "$value" }" ;; esac ;;
  esac
done

for pgid in $groups; do kill -s TERM -- "-$pgid" 2>/dev/null; done
for file in $files; do
  # the x keeps a path's trailing newlines from the command substitution
  path=$(printf '%bx' "$file")
  rm -f -- "${path%x}"
done
polls=$((grace_ms / 100))
while :; do
  left=
  for pgid in $groups; do kill -s 0 -- "-$pgid" 2>/dev/null && left="$left$pgid "; done
  groups=" $left"
  [ -z "$left" ] && exit 0
  [ "$polls" -le 0 ] && break
  polls=$((polls - 1))
  sleep 0.1
done
for pgid in $groups; do kill -s KILL -- "-$pgid" 2>/dev/null; done
exit 0
