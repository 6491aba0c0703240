#!/usr/bin/env bash
# Runs Berth's end-to-end suite (tests/Berth.Kubernetes.E2E) against the kind cluster of deploy/kind/setup.sh,
# with an in-process operator, then deletes whatever a failed run left behind. Extra arguments go to
# `dotnet test`, e.g. --filter GangTests. See docs/KUBERNETES.md#end-to-end-tests.
#
#   BERTH_E2E_KUBECONFIG  kubeconfig of the test cluster (default .kind/berth-e2e.kubeconfig, from setup.sh);
#                         the suite refuses a cluster whose nodes setup.sh did not label
#   BERTH_E2E_TIMEOUT     seconds a test waits for the cluster (default 90)
#   BERTH_E2E_OPERATOR_AS serviceaccount (default: as berth-system/berth, so RBAC is tested) or kubeconfig
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cluster="${BERTH_KIND_CLUSTER:-berth-e2e}"
export KUBECONFIG="${BERTH_E2E_KUBECONFIG:-$repo/.kind/$cluster.kubeconfig}"
if [[ ! -f "$KUBECONFIG" ]]; then
  echo "run-e2e.sh: no kubeconfig at $KUBECONFIG; run deploy/kind/setup.sh first" >&2
  exit 2
fi

kubectl cluster-info >/dev/null
if [[ "$(kubectl -n berth-system get deployment berth-operator -o jsonpath='{.spec.replicas}' 2>/dev/null || echo 0)" != 0 ]]; then
  echo "run-e2e.sh: deploy/operator.yaml's Berth runs in the cluster; scaling it to 0 so it does not compete with the operator under test"
  kubectl -n berth-system scale deployment/berth-operator --replicas=0
fi

export BERTH_E2E_OPERATOR_LOG="${BERTH_E2E_OPERATOR_LOG:-$repo/.kind/operator.log}"
mkdir -p "$(dirname "$BERTH_E2E_OPERATOR_LOG")"
: > "$BERTH_E2E_OPERATOR_LOG"

status=0
dotnet test "$repo/tests/Berth.Kubernetes.E2E/Berth.Kubernetes.E2E.csproj" --logger "console;verbosity=normal" "$@" || status=$?

# Each test deletes its namespace, queues and flavors; this catches what an aborted run left behind.
kubectl delete namespaces,queues.berth.dev,flavors.berth.dev -l berth.dev/e2e-run --ignore-not-found --wait=false >/dev/null || true
echo "operator log: $BERTH_E2E_OPERATOR_LOG"
exit "$status"
