package bridge

import "github.com/sealpay/sealpay/sdk/errcode"

// Code returns the code of the first error in err's tree that carries one
// (an errcode.Coder), and whether there is one: errcode.Of(err) is the
// code, or errcode.Internal if ok is false. It walks the tree as errors.As
// does (depth first, through Unwrap() error and Unwrap() []error) with type
// assertions instead of errors.As, whose reflection (internal/reflectlite's
// type walking) would add 15 KB gzip to the browser modules, which report
// every error's code to JavaScript. Errors with an As method are not
// consulted; none in Sealpay has one.
func Code(err error) (code errcode.Code, ok bool) {
	for err != nil {
		if c, ok := err.(errcode.Coder); ok {
			return c.Code(), true
		}
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			err = u.Unwrap()
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				if code, ok := Code(e); ok {
					return code, true
				}
			}
			return errcode.Internal, false
		default:
			return errcode.Internal, false
		}
	}
	return errcode.Internal, false
}
