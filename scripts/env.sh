# Shared environment for run.sh and test.sh (sourced).
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# A target directory outside the clone survives fresh clones (CI speed);
# set CARGO_TARGET_DIR to choose another.
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/reestr/target}
export PATH="$root/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}
