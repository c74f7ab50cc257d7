package admission_test

import (
	"context"
	"testing"

	"github.com/cicd-hub/hubgate/engine/admission"
	"github.com/cicd-hub/hubgate/policy"
)

// FuzzEvaluate feeds arbitrary objects of every supported kind to Collect and the hub.admission rules:
// it must not panic, and every finding must be a complete failure.
func FuzzEvaluate(f *testing.F) {
	kinds := [][2]string{{"", "Pod"}, {"", "ConfigMap"}, {"apps", "Deployment"}, {"apps", "StatefulSet"}, {"apps", "DaemonSet"}, {"apps", "ReplicaSet"}, {"batch", "Job"}, {"batch", "CronJob"}, {"", "ReplicationController"}, {"", "PodTemplate"}}
	f.Add(uint8(0), pod(`{"containers":[{"name":"a","image":"ghcr.io/a/b@`+digA+`","env":[{"name":"x","valueFrom":{"secretKeyRef":{"name":"s","key":"k"}}}]}],"volumes":[{"name":"v","projected":{"sources":[{"secret":{"name":"s"}}]}}]}`, goodMeta))
	f.Add(uint8(1), []byte(`{"metadata":{"name":"workflow-a"},"data":{"workflow.yaml":"on:\n  pull_request_target: {}\n"}}`))
	f.Add(uint8(2), []byte(`{"spec":{"template":{"spec":{"initContainers":[{"name":"i","image":"busybox"}],"containers":[{"name":"c","image":"nginx:1"}]}}}}`))
	f.Add(uint8(7), []byte(`{"spec":{"jobTemplate":{"spec":{"template":{"spec":{"ephemeralContainers":[{"name":"e","image":"x@sha512:00"}]}}}}}}`))
	f.Add(uint8(8), []byte(`{"spec":{"template":{"spec":{"containers":[{"name":"c","image":"ghcr.io/a/b@`+digA+`"}]}}}}`))
	cfg := mapped()
	cfg.Registries = []string{"ghcr.io/acme"}
	f.Fuzz(func(t *testing.T, k uint8, raw []byte) {
		gk := kinds[int(k)%len(kinds)]
		// The same bytes as the new and the old object of an UPDATE.
		fs, err := evaluate(context.Background(), cfg, admission.Object{Group: gk[0], Kind: gk[1], Namespace: "ns", Raw: raw, Operation: admission.OperationUpdate, OldRaw: raw}, newChecker(digA))
		if err != nil {
			return
		}
		for _, fd := range fs {
			if fd.Rule == "" || fd.Message == "" || fd.Outcome != policy.OutcomeFail || fd.Severity == policy.SeverityUnknown {
				t.Fatalf("incomplete finding %+v", fd)
			}
		}
	})
}
