{{/*
The operator's permissions, in one place and independent of values, so that a test compares them
with deploy/rbac-rules.txt (and the end-to-end tests with the API calls the operator really makes).

"slotwise.rules": granted in every watched namespace (ClusterRole when all are watched).
  - redisclusters: read and watch them, add and remove the operator's finalizer (update/patch),
    write status; redisclusters/finalizers is what owner references with blockOwnerDeletion need.
  - the objects of each cluster (Secret, ConfigMap, Services, PodDisruptionBudgets, StatefulSets):
    full life cycle. Pods: watched, and deleted one at a time by the roll. PersistentVolumeClaims:
    created by the StatefulSet controller, read by the operator, deleted under scaleDownPolicy Delete.
  - events: one per topology change.
"slotwise.leaderElectionRules": the Lease, only in the release namespace, only with leader election.
*/}}
{{- define "slotwise.rules" -}}
- apiGroups: ["slotwise.io"]
  resources: ["redisclusters"]
  verbs: ["get", "list", "watch", "update", "patch"]
- apiGroups: ["slotwise.io"]
  resources: ["redisclusters/status"]
  verbs: ["get", "update", "patch"]
- apiGroups: ["slotwise.io"]
  resources: ["redisclusters/finalizers"]
  verbs: ["update"]
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["get", "list", "watch", "delete"]
- apiGroups: [""]
  resources: ["services", "configmaps", "secrets"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
- apiGroups: [""]
  resources: ["persistentvolumeclaims"]
  verbs: ["get", "list", "watch", "delete"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "patch"]
- apiGroups: ["apps"]
  resources: ["statefulsets"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
- apiGroups: ["policy"]
  resources: ["poddisruptionbudgets"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
{{- end -}}

{{- define "slotwise.leaderElectionRules" -}}
- apiGroups: ["coordination.k8s.io"]
  resources: ["leases"]
  verbs: ["get", "create", "patch"]
{{- end -}}
