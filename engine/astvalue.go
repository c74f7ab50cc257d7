package engine

import (
	"bytes"
	"encoding"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/open-policy-agent/opa/v1/ast"
)

// toAST converts a typed facts document into the Rego input value directly,
// with encoding/json's rules (json tags, omitempty, omitzero, "-", embedded
// structs promoted by depth, MarshalJSON and MarshalText, invalid UTF-8
// replaced byte by byte), so that Rego sees exactly what json.Marshal
// followed by ast.ValueFromReader gave, without the round trip.
// TestFactsToASTMatchesJSON proves it on every fixtures/cases input.
func toAST(x any) (ast.Value, error) {
	if x == nil {
		return ast.NewObject(), nil
	}
	return valueOf(reflect.ValueOf(x))
}

var (
	timeType          = reflect.TypeFor[time.Time]()
	jsonMarshalerType = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
)

func valueOf(v reflect.Value) (ast.Value, error) {
	if !v.IsValid() {
		return ast.Null{}, nil
	}
	t := v.Type()
	switch {
	case t == timeType:
		// time.Time.MarshalJSON is RFC 3339 with nanoseconds; it fails
		// for years outside 0–9999, as json.Marshal would.
		tm := v.Interface().(time.Time)
		if y := tm.Year(); y < 0 || y > 9999 {
			return nil, fmt.Errorf("time %v: year outside of range [0,9999]", tm)
		}
		return ast.String(tm.Format(time.RFC3339Nano)), nil
	case t.Kind() != reflect.Pointer && t.Kind() != reflect.Interface && t.Implements(jsonMarshalerType),
		t.Kind() == reflect.Pointer && !v.IsNil() && t.Implements(jsonMarshalerType):
		return viaJSON(v.Interface())
	case t.Kind() != reflect.Pointer && t.Kind() != reflect.Interface && t.Implements(textMarshalerType):
		b, err := v.Interface().(encoding.TextMarshaler).MarshalText()
		if err != nil {
			return nil, err
		}
		return ast.String(validUTF8(string(b))), nil
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return ast.Null{}, nil
		}
		return valueOf(v.Elem())
	case reflect.Bool:
		return ast.Boolean(v.Bool()), nil
	case reflect.String:
		return ast.String(validUTF8(v.String())), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return ast.Number(strconv.FormatInt(v.Int(), 10)), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return ast.Number(strconv.FormatUint(v.Uint(), 10)), nil
	case reflect.Float32, reflect.Float64:
		return floatValue(v.Float(), t.Bits())
	case reflect.Slice:
		if v.IsNil() {
			return ast.Null{}, nil
		}
		if t.Elem().Kind() == reflect.Uint8 && !t.Elem().Implements(jsonMarshalerType) && !t.Elem().Implements(textMarshalerType) {
			return ast.String(base64.StdEncoding.EncodeToString(v.Bytes())), nil
		}
		fallthrough
	case reflect.Array:
		terms := make([]*ast.Term, v.Len())
		for i := range terms {
			e, err := valueOf(v.Index(i))
			if err != nil {
				return nil, err
			}
			terms[i] = ast.NewTerm(e)
		}
		return ast.NewArray(terms...), nil
	case reflect.Map:
		if v.IsNil() {
			return ast.Null{}, nil
		}
		if t.Key().Kind() != reflect.String || t.Key().Implements(textMarshalerType) {
			return viaJSON(v.Interface())
		}
		obj := ast.NewObject()
		iter := v.MapRange()
		for iter.Next() {
			e, err := valueOf(iter.Value())
			if err != nil {
				return nil, err
			}
			obj.Insert(ast.StringTerm(validUTF8(iter.Key().String())), ast.NewTerm(e))
		}
		return obj, nil
	case reflect.Struct:
		fs := structFields(t)
		obj := ast.NewObjectWithCapacity(len(fs))
		for _, f := range fs {
			fv, ok := fieldByIndex(v, f.index)
			if !ok {
				continue
			}
			if f.omitEmpty && isEmpty(fv) || f.omitZero && isZero(fv) {
				continue
			}
			e, err := valueOf(fv)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", f.name, err)
			}
			obj.Insert(f.key, ast.NewTerm(e))
		}
		return obj, nil
	}
	return nil, fmt.Errorf("facts: cannot convert a %s", t)
}

// viaJSON converts a value with its own JSON form (a MarshalJSON method, a
// map with non-string keys) the slow way. Facts rarely hold one.
func viaJSON(x any) (ast.Value, error) {
	b, err := json.Marshal(x)
	if err != nil {
		return nil, err
	}
	return ast.ValueFromReader(bytes.NewReader(b))
}

// floatValue formats f as encoding/json does.
func floatValue(f float64, bits int) (ast.Value, error) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return nil, fmt.Errorf("unsupported value: %v", f)
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (bits == 64 && (abs < 1e-6 || abs >= 1e21) || bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21)) {
		format = 'e'
	}
	b := strconv.AppendFloat(nil, f, format, -1, bits)
	if format == 'e' {
		// Clean up e-09 to e-9, as encoding/json does.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return ast.Number(b), nil
}

// validUTF8 replaces each byte of an invalid UTF-8 sequence with U+FFFD, as
// encoding/json does.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteRune(utf8.RuneError)
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// field is one JSON field of a struct type, possibly promoted from an
// embedded struct.
type field struct {
	name string
	// key is name as a term, made once and shared by every object of the
	// type (a term is not changed by the objects that hold it).
	key                 *ast.Term
	index               []int
	omitEmpty, omitZero bool
	tagged              bool
}

var fieldCache sync.Map // reflect.Type → []field

// structFields lists t's JSON fields with encoding/json's rules: embedded
// structs without a name tag are promoted; among fields of one name the
// shallowest wins, then the one with a tag; a tie hides them all.
func structFields(t reflect.Type) []field {
	if fs, ok := fieldCache.Load(t); ok {
		return fs.([]field)
	}
	var all []field
	var walk func(t reflect.Type, index []int)
	walk = func(t reflect.Type, index []int) {
		for i := range t.NumField() {
			sf := t.Field(i)
			ft := sf.Type
			if sf.Anonymous {
				if ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if !sf.IsExported() && ft.Kind() != reflect.Struct {
					continue
				}
			} else if !sf.IsExported() {
				continue
			}
			tag := sf.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			idx := append(slices.Clone(index), i)
			if name == "" && sf.Anonymous && ft.Kind() == reflect.Struct {
				walk(ft, idx)
				continue
			}
			f := field{name: name, index: idx, tagged: name != ""}
			if name == "" {
				f.name = sf.Name
			}
			for _, o := range strings.Split(opts, ",") {
				switch o {
				case "omitempty":
					f.omitEmpty = true
				case "omitzero":
					f.omitZero = true
				}
			}
			all = append(all, f)
		}
	}
	walk(t, nil)
	byName := map[string][]field{}
	var order []string
	for _, f := range all {
		if _, ok := byName[f.name]; !ok {
			order = append(order, f.name)
		}
		byName[f.name] = append(byName[f.name], f)
	}
	var out []field
	for _, n := range order {
		if f, ok := dominant(byName[n]); ok {
			out = append(out, f)
		}
	}
	slices.SortFunc(out, func(a, b field) int { return slices.Compare(a.index, b.index) })
	for i := range out {
		out[i].key = ast.StringTerm(out[i].name)
	}
	fs, _ := fieldCache.LoadOrStore(t, out)
	return fs.([]field)
}

func dominant(fs []field) (field, bool) {
	depth := len(fs[0].index)
	for _, f := range fs {
		depth = min(depth, len(f.index))
	}
	var top []field
	for _, f := range fs {
		if len(f.index) == depth {
			top = append(top, f)
		}
	}
	if len(top) == 1 {
		return top[0], true
	}
	var tagged []field
	for _, f := range top {
		if f.tagged {
			tagged = append(tagged, f)
		}
	}
	if len(tagged) == 1 {
		return tagged[0], true
	}
	return field{}, false
}

// fieldByIndex follows index through embedded pointers; ok is false when
// one of them is nil (encoding/json then leaves the field out).
func fieldByIndex(v reflect.Value, index []int) (reflect.Value, bool) {
	for i, x := range index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return reflect.Value{}, false
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v, true
}

func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}

func isZero(v reflect.Value) bool {
	if z, ok := v.Interface().(interface{ IsZero() bool }); ok {
		if v.Kind() == reflect.Pointer && v.IsNil() {
			return true
		}
		return z.IsZero()
	}
	return v.IsZero()
}
