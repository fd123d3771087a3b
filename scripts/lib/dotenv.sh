# Sourced by shell scripts as `. scripts/lib/dotenv.sh FILE`: exports FILE's assignments (when FILE exists) with
# the config's precedence (shared/src/config: the environment, then .env, then defaults): a variable the caller's
# environment already has keeps its value. Top-level code, not a function: `declare` in a function is local.
if [ -f "$1" ]; then
  __dotenv_environment=$(export -p)
  set -a; . "$1"; set +a
  eval "$__dotenv_environment"
  unset __dotenv_environment
fi
