//go:build js

package edge

import "net/http"

// prepareOutbound adjusts an outgoing request for the platform. Under
// GOOS=js, net/http sends with the runtime's fetch, which follows redirects
// itself unless told otherwise; "manual" hands the 3xx back unfollowed, so
// card data never travels on to a host outside the allowlist.
func prepareOutbound(r *http.Request) { r.Header.Set("js.fetch:redirect", "manual") }
