#!/usr/bin/env bash
# Creates a kind cluster for Berth's end-to-end suite, fakes GPUs on its worker nodes and installs Berth's
# CRDs, RBAC and example flavors, cohort and queues. The kubeconfig goes to .kind/berth-e2e.kubeconfig
# (your ~/.kube/config is left alone). See docs/KUBERNETES.md#end-to-end-tests.
#
#   deploy/kind/setup.sh                 create the cluster (if missing), fake GPUs, install
#   deploy/kind/setup.sh --gpus-only     fake the GPUs again (a restarted kubelet drops them)
#   deploy/kind/setup.sh --with-operator also build the image, load it and apply deploy/operator.yaml
#                                        (the e2e suite runs its own operator: scale this one to 0 first)
#   deploy/kind/setup.sh --delete        delete the cluster
#
# Needs: kind, kubectl (1.24 or later, for --subresource), and docker for kind and --with-operator.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cluster="${BERTH_KIND_CLUSTER:-berth-e2e}"
kubeconfig="${BERTH_E2E_KUBECONFIG:-$repo/.kind/$cluster.kubeconfig}"
image="${BERTH_E2E_IMAGE:-registry.k8s.io/pause:3.10}"
gpus_per_node=8

mode=all
with_operator=false
for arg in "$@"; do
  case "$arg" in
    --gpus-only) mode=gpus ;;
    --with-operator) with_operator=true ;;
    --delete) mode=delete ;;
    -h|--help) sed -n '2,13p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "setup.sh: unknown argument '$arg'; use --gpus-only, --with-operator, --delete or --help" >&2; exit 2 ;;
  esac
done

need() {
  command -v "$1" >/dev/null 2>&1 || { echo "setup.sh: '$1' is not installed; $2" >&2; exit 2; }
}

need kubectl "install kubectl 1.24 or later"
export KUBECONFIG="$kubeconfig"

if [[ "$mode" == delete ]]; then
  need kind "see https://kind.sigs.k8s.io/docs/user/quick-start/#installation"
  kind delete cluster --name "$cluster" --kubeconfig "$kubeconfig"
  rm -f "$kubeconfig"
  exit 0
fi

if [[ "$mode" == all ]]; then
  need kind "see https://kind.sigs.k8s.io/docs/user/quick-start/#installation"
  mkdir -p "$(dirname "$kubeconfig")"
  if kind get clusters 2>/dev/null | grep -qx "$cluster"; then
    echo "cluster $cluster exists; writing its kubeconfig"
    kind export kubeconfig --name "$cluster" --kubeconfig "$kubeconfig"
  else
    kind create cluster --name "$cluster" --config "$repo/deploy/kind/kind-config.yaml" --kubeconfig "$kubeconfig" --wait 180s
  fi
fi

kubectl wait --for=condition=Ready nodes --all --timeout=180s

# Fake GPUs: GPU Feature Discovery's labels, a rack, the e2e marker the suite looks for, and
# nvidia.com/gpu in the node's capacity and allocatable (what NVIDIA's device plugin would advertise).
# The kubelet keeps an extended resource patched into the status until it restarts.
fake_gpus() {
  local node="$1" product="$2" rack="$3"
  kubectl label node "$node" --overwrite \
    berth.dev/e2e=fake-gpu \
    nvidia.com/gpu.product="$product" \
    nvidia.com/gpu.memory=81920 \
    nvidia.com/gpu.count="$gpus_per_node" \
    topology.berth.io/rack="$rack" >/dev/null
  kubectl patch node "$node" --subresource=status --type=json -p "[
    {\"op\": \"add\", \"path\": \"/status/capacity/nvidia.com~1gpu\", \"value\": \"$gpus_per_node\"},
    {\"op\": \"add\", \"path\": \"/status/allocatable/nvidia.com~1gpu\", \"value\": \"$gpus_per_node\"}]" >/dev/null
  echo "node $node: $gpus_per_node x $product (fake), $rack"
}

mapfile -t workers < <(kubectl get nodes -l '!node-role.kubernetes.io/control-plane' -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}' | sort)
if (( ${#workers[@]} < 3 )); then
  echo "setup.sh: the cluster has ${#workers[@]} worker nodes; the suite needs 3 (deploy/kind/kind-config.yaml makes them)" >&2
  exit 1
fi
fake_gpus "${workers[0]}" NVIDIA-A100-SXM4-80GB rack-1
fake_gpus "${workers[1]}" NVIDIA-A100-SXM4-80GB rack-1
fake_gpus "${workers[2]}" NVIDIA-H100-80GB-HBM3 rack-2

if [[ "$mode" == gpus ]]; then
  exit 0
fi

# Berth's objects. Of the examples only the configuration (flavors, cohort, queues): the example Job and pod
# group are sized for real GPU servers (64-128 GiB per pod) and would wait forever on kind nodes.
kubectl apply -f "$repo/deploy/crds/"
kubectl wait --for=condition=Established --timeout=60s \
  crd/flavors.berth.dev crd/cohorts.berth.dev crd/queues.berth.dev crd/podgroups.berth.dev
kubectl apply -f "$repo/deploy/rbac.yaml"
kubectl apply -f "$repo/deploy/examples/flavors.yaml" -f "$repo/deploy/examples/cohort.yaml" -f "$repo/deploy/examples/queues.yaml"

# The test pods run the pause image; load it into the nodes when docker has it, so nothing is pulled.
if command -v docker >/dev/null 2>&1 && docker image inspect "$image" >/dev/null 2>&1; then
  kind load docker-image "$image" --name "$cluster"
fi

if [[ "$with_operator" == true ]]; then
  need docker "needed to build the operator image"
  docker build -t berth:latest "$repo"
  kind load docker-image berth:latest --name "$cluster"
  kubectl apply -f "$repo/deploy/operator.yaml"
  kubectl -n berth-system rollout status deployment/berth-operator --timeout=180s
fi

echo
echo "ready: export KUBECONFIG=$kubeconfig"
echo "run the end-to-end suite with deploy/kind/run-e2e.sh"
