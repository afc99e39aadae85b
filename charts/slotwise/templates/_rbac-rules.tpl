{{/*
The operator's permissions, in one place and independent of values, so that a test compares them
with deploy/rbac-rules.txt, and the end-to-end tests (RbacEvidenceIT) with the API calls the
operator really makes: nothing here that no recorded call uses, unless RbacEvidenceIT says why.

"slotwise.rules": granted in every watched namespace (ClusterRole when all are watched).
  - redisclusters: read and watch them, write status (the operator adds no finalizer and never
    writes the spec); redisclusters/finalizers is what owner references with blockOwnerDeletion
    need on a real API server.
  - Secret (the generated password, created once, never rewritten), ConfigMap and Services
    (created, rewritten when the model changes), PodDisruptionBudgets (also deleted with their
    shard), StatefulSets (created, template patched, watched, deleted by a scale-in; their scale
    subresource read and written when a shard gains or loses a replica).
    Pods: watched, and deleted one at a time by the roll and by a scale-in.
    PersistentVolumeClaims: deleted by name under scaleDownPolicy Delete; never read.
  - events: one per topology change (created, never aggregated).
"slotwise.leaderElectionRules": the Lease, only in the release namespace, only with leader election;
  JOSDK checks get, create and update before it campaigns (and refuses to start without update);
  fabric8's elector renews the Lease with a patch.
*/}}
{{- define "slotwise.rules" -}}
- apiGroups: ["slotwise.io"]
  resources: ["redisclusters"]
  verbs: ["get", "list", "watch"]
- apiGroups: ["slotwise.io"]
  resources: ["redisclusters/status"]
  verbs: ["update"]
- apiGroups: ["slotwise.io"]
  resources: ["redisclusters/finalizers"]
  verbs: ["update"]
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["get", "list", "watch", "delete"]
- apiGroups: [""]
  resources: ["services", "configmaps"]
  verbs: ["get", "create", "update"]
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get", "create"]
- apiGroups: [""]
  resources: ["persistentvolumeclaims"]
  verbs: ["delete"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create"]
- apiGroups: ["apps"]
  resources: ["statefulsets"]
  verbs: ["get", "list", "watch", "create", "patch", "delete"]
- apiGroups: ["apps"]
  resources: ["statefulsets/scale"]
  verbs: ["get", "update"]
- apiGroups: ["policy"]
  resources: ["poddisruptionbudgets"]
  verbs: ["get", "create", "update", "delete"]
{{- end -}}

{{- define "slotwise.leaderElectionRules" -}}
- apiGroups: ["coordination.k8s.io"]
  resources: ["leases"]
  verbs: ["get", "create", "update", "patch"]
{{- end -}}
