package registry

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	"cuelang.org/go/cue"
)

// Section is a per-repo registry section and the Go type it decodes into,
// its typed config: an evidence kind declares its own ([SectionOf]) and the
// engine loads the registry [WithSections] of every kind. Each repo's
// section is then decoded once, at load, straight from the CUE value
// (defaults and all, from the schema), and [Repo.Section] hands out that
// typed value: nothing is decoded per evaluation.
type Section struct {
	name string
	typ  reflect.Type
}

// SectionOf declares the section name, decoded into a T (a struct whose
// json tags name the section's fields).
func SectionOf[T any](name string) Section {
	return Section{name: name, typ: reflect.TypeFor[T]()}
}

// Name is the section's field in a repo's entry ("vulnerabilities").
func (s Section) Name() string { return s.name }

// WithSections decodes each of ss, for every repo, once at load into its
// typed config ([Repo.Section] then copies it out). A registry loaded from
// the cache decodes them from the cached resolved entries (JSON), once.
func WithSections(ss ...Section) LoadOption {
	return func(c *loadConfig) { c.sections = append(c.sections, ss...) }
}

// typedSection is a repo's decoded section: a *T, or why it did not
// decode.
type typedSection struct {
	v   any // a *T
	err error
}

// Section decodes the top-level field name of the resolved entry into v.
// A missing section leaves v untouched. A section declared at load
// ([WithSections]) with v's type is copied from its typed config, decoded
// once from CUE: v then shares its slices and maps with the registry, and
// must only be read. Any other section (or a Repo made by hand) is decoded
// from Data through JSON.
func (r *Repo) Section(name string, v any) error {
	if t, ok := r.typed[name]; ok {
		rv, tv := reflect.ValueOf(v), reflect.ValueOf(t.v)
		if rv.Type() == tv.Type() {
			if t.err != nil {
				return t.err
			}
			rv.Elem().Set(tv.Elem())
			return nil
		}
	}
	s, ok := r.Data[name]
	if !ok {
		return nil
	}
	b, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("registry section %s: %w", name, err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("registry section %s: %w", name, err)
	}
	return nil
}

// WithSections returns a copy of r whose repos have each of ss decoded into
// its typed config, for a registry loaded without them: decoded once, now,
// from the resolved entries (JSON values). Sections r already has are kept.
func (r *Registry) WithSections(ss ...Section) *Registry {
	out := *r
	out.repos = make(map[string]*Repo, len(r.repos))
	for name, rp := range r.repos {
		cp := *rp
		cp.typed = make(map[string]typedSection, len(rp.typed)+len(ss))
		for k, v := range rp.typed {
			cp.typed[k] = v
		}
		for _, s := range ss {
			if _, ok := cp.typed[s.name]; !ok {
				cp.typed[s.name] = decodeJSONSection(s, cp.Data)
			}
		}
		out.repos[name] = &cp
	}
	return &out
}

// HasSections reports whether every repo has each of ss as a typed config.
func (r *Registry) HasSections(ss ...Section) bool {
	for _, rp := range r.repos {
		for _, s := range ss {
			if t, ok := rp.typed[s.name]; !ok || reflect.TypeOf(t.v).Elem() != s.typ {
				return false
			}
		}
	}
	return true
}

// decodeJSONSection decodes section s of a resolved entry (JSON values):
// the cached path and registries loaded without the sections.
func decodeJSONSection(s Section, data map[string]any) typedSection {
	p := reflect.New(s.typ)
	v, ok := data[s.name]
	if !ok {
		return typedSection{v: p.Interface()}
	}
	b, err := json.Marshal(v)
	if err == nil {
		err = json.Unmarshal(b, p.Interface())
	}
	if err != nil {
		return typedSection{v: p.Interface(), err: fmt.Errorf("registry section %s: %w", s.name, err)}
	}
	return typedSection{v: p.Interface()}
}

// decodeCUESection decodes v, a resolved parent's section (org or team:
// every field, defaults applied by the schema), into a new T.
func decodeCUESection(s Section, v cue.Value) typedSection {
	p := reflect.New(s.typ)
	if !v.Exists() {
		return typedSection{v: p.Interface()}
	}
	if err := v.Decode(p.Interface()); err != nil {
		return typedSection{v: p.Interface(), err: fmt.Errorf("registry section %s: %w", s.name, err)}
	}
	return typedSection{v: p.Interface()}
}

// overSection lays own, a repo's own settings of section s (a CUE value of
// the user's sources), over its parent's typed config, by the rule of
// [overlay]: a struct merges field by field, any other value replaces the
// parent's. The parent is not modified; the result shares with it what own
// does not set.
func overSection(s Section, parent typedSection, own cue.Value) typedSection {
	if parent.err != nil {
		return parent
	}
	p := reflect.New(s.typ)
	p.Elem().Set(reflect.ValueOf(parent.v).Elem())
	if err := decodeOver(p.Elem(), own); err != nil {
		return typedSection{v: p.Interface(), err: fmt.Errorf("registry section %s: %w", s.name, err)}
	}
	return typedSection{v: p.Interface()}
}

// decodeOver decodes v over x, a settable copy: a struct value merges into
// a Go struct (or the copy of one a pointer points to) field by field (by
// json name), and into a copy of a Go map key by key; any other value (a
// list, a scalar) replaces x,
// decoded into a zero value, so nothing x shared with its parent (a slice's
// array, a pointer's target) is written to.
func decodeOver(x reflect.Value, v cue.Value) error {
	// A pointer to a struct the parent set merges too, into a copy.
	if x.Kind() == reflect.Pointer && !x.IsNil() && x.Type().Elem().Kind() == reflect.Struct && v.IncompleteKind() == cue.StructKind {
		cp := reflect.New(x.Type().Elem())
		cp.Elem().Set(x.Elem())
		if err := decodeOver(cp.Elem(), v); err != nil {
			return err
		}
		x.Set(cp)
		return nil
	}
	// A map the parent set merges key by key, into a copy.
	if x.Kind() == reflect.Map && x.Type().Key().Kind() == reflect.String && !x.IsNil() && v.IncompleteKind() == cue.StructKind {
		cp := reflect.MakeMapWithSize(x.Type(), x.Len())
		mi := x.MapRange()
		for mi.Next() {
			cp.SetMapIndex(mi.Key(), mi.Value())
		}
		it, err := v.Fields()
		if err != nil {
			return err
		}
		for it.Next() {
			key := reflect.ValueOf(it.Selector().Unquoted()).Convert(x.Type().Key())
			elem := reflect.New(x.Type().Elem()).Elem()
			if old := cp.MapIndex(key); old.IsValid() {
				elem.Set(old)
			}
			if err := decodeOver(elem, it.Value()); err != nil {
				return err
			}
			cp.SetMapIndex(key, elem)
		}
		x.Set(cp)
		return nil
	}
	if x.Kind() == reflect.Struct && v.IncompleteKind() == cue.StructKind {
		if _, ok := x.Addr().Interface().(json.Unmarshaler); !ok {
			fields := jsonFields(x.Type())
			it, err := v.Fields()
			if err != nil {
				return err
			}
			for it.Next() {
				i, ok := fields[it.Selector().Unquoted()]
				if !ok {
					continue
				}
				if err := decodeOver(x.FieldByIndex(i), it.Value()); err != nil {
					return err
				}
			}
			return nil
		}
	}
	z := reflect.New(x.Type())
	if err := v.Decode(z.Interface()); err != nil {
		return err
	}
	x.Set(z.Elem())
	return nil
}

// jsonFields maps the json names of t's exported fields to their index.
func jsonFields(t reflect.Type) map[string][]int {
	out := map[string][]int{}
	for _, f := range reflect.VisibleFields(t) {
		if !f.IsExported() || f.Anonymous {
			continue
		}
		name := f.Name
		if tag, ok := f.Tag.Lookup("json"); ok {
			n, _, _ := strings.Cut(tag, ",")
			if n == "-" {
				continue
			}
			if n != "" {
				name = n
			}
		}
		out[name] = f.Index
	}
	return out
}
