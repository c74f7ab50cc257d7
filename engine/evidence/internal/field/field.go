// Package field is the error evidence packages return for one bad field of a
// file, so that the engine can report it as a problem naming that field.
package field

import "fmt"

// Error names the field of a file that is wrong.
type Error struct {
	Field string
	Err   error
}

func (e *Error) Error() string { return e.Field + ": " + e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// FieldPath is the field's path in the file, such as "entries[3].sha256".
func (e *Error) FieldPath() string { return e.Field }

// Errorf returns an *Error for field.
func Errorf(field, format string, args ...any) error {
	return &Error{Field: field, Err: fmt.Errorf(format, args...)}
}
