package admission

import (
	"errors"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utiljson "k8s.io/apimachinery/pkg/util/json"
)

// ErrDecode is wrapped when an object does not decode as its kind.
var ErrDecode = errors.New("object does not decode")

// ErrInvalid is wrapped when an object decodes but is not one the API
// server would send (a pod spec with no containers): the caller must deny
// it whatever its failure policy.
var ErrInvalid = errors.New("object is not valid")

// Operations, as in an AdmissionRequest.
const (
	OperationCreate = "CREATE"
	OperationUpdate = "UPDATE"
)

// Object is the object of an admission request.
type Object struct {
	// Group and Kind name the type ("apps", "Deployment"; "" for core).
	Group string
	Kind  string
	// Namespace is the request's namespace.
	Namespace string
	// Raw is the object's JSON.
	Raw []byte
	// Operation is the request's operation, [OperationCreate] or
	// [OperationUpdate] ("" is treated as a create: everything is judged).
	Operation string
	// OldRaw is the old object's JSON on an UPDATE, nil otherwise.
	OldRaw []byte
}

// decoded is what the rules need from an object.
type decoded struct {
	meta metav1.ObjectMeta
	// template is the pod template's metadata, nil for Pods and ConfigMaps.
	template *metav1.ObjectMeta
	// spec is the pod spec, nil for ConfigMaps.
	spec *corev1.PodSpec
	// specPath is the JSON path of spec ("spec.template.spec").
	specPath  string
	configMap *corev1.ConfigMap
}

// Supported reports whether [Collect] knows the group and kind.
func Supported(group, kind string) bool {
	_, ok := decoders[group+"/"+kind]
	return ok
}

var decoders = map[string]func([]byte) (decoded, error){
	"/Pod": func(b []byte) (decoded, error) {
		var o corev1.Pod
		err := utiljson.Unmarshal(b, &o)
		return decoded{meta: o.ObjectMeta, spec: &o.Spec, specPath: "spec"}, err
	},
	"/ConfigMap": func(b []byte) (decoded, error) {
		var o corev1.ConfigMap
		err := utiljson.Unmarshal(b, &o)
		return decoded{meta: o.ObjectMeta, configMap: &o}, err
	},
	"apps/Deployment": func(b []byte) (decoded, error) {
		var o appsv1.Deployment
		err := utiljson.Unmarshal(b, &o)
		return workload(o.ObjectMeta, &o.Spec.Template), err
	},
	"apps/StatefulSet": func(b []byte) (decoded, error) {
		var o appsv1.StatefulSet
		err := utiljson.Unmarshal(b, &o)
		return workload(o.ObjectMeta, &o.Spec.Template), err
	},
	"apps/DaemonSet": func(b []byte) (decoded, error) {
		var o appsv1.DaemonSet
		err := utiljson.Unmarshal(b, &o)
		return workload(o.ObjectMeta, &o.Spec.Template), err
	},
	"apps/ReplicaSet": func(b []byte) (decoded, error) {
		var o appsv1.ReplicaSet
		err := utiljson.Unmarshal(b, &o)
		return workload(o.ObjectMeta, &o.Spec.Template), err
	},
	"batch/Job": func(b []byte) (decoded, error) {
		var o batchv1.Job
		err := utiljson.Unmarshal(b, &o)
		return workload(o.ObjectMeta, &o.Spec.Template), err
	},
	"/ReplicationController": func(b []byte) (decoded, error) {
		var o corev1.ReplicationController
		err := utiljson.Unmarshal(b, &o)
		if o.Spec.Template == nil {
			return decoded{meta: o.ObjectMeta, specPath: "spec.template.spec"}, err
		}
		return workload(o.ObjectMeta, o.Spec.Template), err
	},
	"/PodTemplate": func(b []byte) (decoded, error) {
		var o corev1.PodTemplate
		err := utiljson.Unmarshal(b, &o)
		return decoded{meta: o.ObjectMeta, template: &o.Template.ObjectMeta, spec: &o.Template.Spec, specPath: "template.spec"}, err
	},
	"batch/CronJob": func(b []byte) (decoded, error) {
		var o batchv1.CronJob
		err := utiljson.Unmarshal(b, &o)
		d := workload(o.ObjectMeta, &o.Spec.JobTemplate.Spec.Template)
		d.specPath = "spec.jobTemplate.spec.template.spec"
		return d, err
	},
}

func workload(meta metav1.ObjectMeta, t *corev1.PodTemplateSpec) decoded {
	return decoded{meta: meta, template: &t.ObjectMeta, spec: &t.Spec, specPath: "spec.template.spec"}
}

func decode(obj Object) (decoded, error) {
	dec, ok := decoders[obj.Group+"/"+obj.Kind]
	if !ok {
		return decoded{}, fmt.Errorf("decode %s: unsupported kind", gk(obj.Group, obj.Kind))
	}
	if len(obj.Raw) == 0 {
		return decoded{}, fmt.Errorf("decode %s: %w: empty object", gk(obj.Group, obj.Kind), ErrDecode)
	}
	d, err := dec(obj.Raw)
	if err != nil {
		return decoded{}, fmt.Errorf("decode %s: %w: %v", gk(obj.Group, obj.Kind), ErrDecode, err)
	}
	if d.configMap == nil && (d.spec == nil || len(d.spec.Containers) == 0) {
		// The API server validates a pod spec before validating webhooks
		// see it, and a pod spec needs a container.
		return decoded{}, fmt.Errorf("decode %s: %w: %s.containers is empty: the API server never sends a pod spec without containers", gk(obj.Group, obj.Kind), ErrInvalid, d.specPath)
	}
	return d, nil
}

func gk(group, kind string) string {
	if group == "" {
		return kind
	}
	return kind + "." + group
}

// Container is one container of a pod spec.
type Container struct {
	// Name is the container's name.
	Name string
	// Type is "initContainer", "container" or "ephemeralContainer".
	Type string
	// Path is the JSON path of the container ("spec.template.spec.containers[0]").
	Path  string
	Image string
	Env   []corev1.EnvVar
	// EnvFrom is the container's envFrom list.
	EnvFrom []corev1.EnvFromSource
}

// containers lists the containers of spec in spec order: init containers,
// containers, ephemeral containers.
func containers(spec *corev1.PodSpec, specPath string) []Container {
	out := make([]Container, 0, len(spec.InitContainers)+len(spec.Containers)+len(spec.EphemeralContainers))
	for i, c := range spec.InitContainers {
		out = append(out, Container{Name: c.Name, Type: "initContainer", Path: fmt.Sprintf("%s.initContainers[%d]", specPath, i), Image: c.Image, Env: c.Env, EnvFrom: c.EnvFrom})
	}
	for i, c := range spec.Containers {
		out = append(out, Container{Name: c.Name, Type: "container", Path: fmt.Sprintf("%s.containers[%d]", specPath, i), Image: c.Image, Env: c.Env, EnvFrom: c.EnvFrom})
	}
	for i, c := range spec.EphemeralContainers {
		out = append(out, Container{Name: c.Name, Type: "ephemeralContainer", Path: fmt.Sprintf("%s.ephemeralContainers[%d]", specPath, i), Image: c.Image, Env: c.Env, EnvFrom: c.EnvFrom})
	}
	return out
}
