package bridge

import (
	"errors"
	"fmt"
	"testing"

	"github.com/sealpay/sealpay/sdk/errcode"
)

// multi is an error whose Unwrap returns several errors, none first.
type multi []error

func (m multi) Error() string   { return "multi" }
func (m multi) Unwrap() []error { return m }

func TestCodeMatchesErrcodeOf(t *testing.T) {
	cvc := errcode.New(errcode.InvalidCVC, "card: invalid cvc")
	plain := errors.New("plain")
	tests := []struct {
		name string
		err  error
		want errcode.Code
		ok   bool
	}{
		{"nil", nil, errcode.Internal, false},
		{"plain", plain, errcode.Internal, false},
		{"sentinel", cvc, errcode.InvalidCVC, true},
		{"wrapped by fmt", fmt.Errorf("a: %w", fmt.Errorf("b: %w", cvc)), errcode.InvalidCVC, true},
		{"BadRequest", BadRequest("bridge: x"), errcode.BadRequest, true},
		{"wrapping a plain error", fmt.Errorf("a: %w", plain), errcode.Internal, false},
		{"joined, code second", errors.Join(plain, cvc), errcode.InvalidCVC, true},
		{"joined, first code wins", errors.Join(fmt.Errorf("x: %w", ErrTooLarge), cvc), errcode.PayloadTooLarge, true},
		{"nested joins", fmt.Errorf("a: %w", multi{multi{plain}, multi{plain, ErrBadRequest}}), errcode.BadRequest, true},
		{"joined, no code", multi{plain, multi{}}, errcode.Internal, false},
		{"two %w", fmt.Errorf("%w and %w", plain, cvc), errcode.InvalidCVC, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := Code(tc.err)
			if got != tc.want || ok != tc.ok {
				t.Errorf("Code = %q, %v; want %q, %v", got, ok, tc.want, tc.ok)
			}
			var c errcode.Coder
			if tc.err != nil && (got != errcode.Of(tc.err) || ok != errors.As(tc.err, &c)) {
				t.Errorf("Code = %q, %v; errcode.Of and errors.As say %q, %v", got, ok, errcode.Of(tc.err), errors.As(tc.err, &c))
			}
		})
	}
}
