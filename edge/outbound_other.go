//go:build !js

package edge

import "net/http"

// prepareOutbound adjusts an outgoing request for the platform. Natively,
// the client's CheckRedirect already refuses to follow redirects.
func prepareOutbound(*http.Request) {}
