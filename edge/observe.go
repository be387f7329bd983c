package edge

import (
	"net/http"
	"time"

	"github.com/sealpay/sealpay/sdk/errcode"
)

// RequestStats is what the handler tells [Options.Observe] about one
// request once it is answered. Every field takes its values from a small
// fixed set: nothing in it names a path, a key, a token, a merchant or a
// client, so each may be a metric's label as it is.
type RequestStats struct {
	// Route is the pattern of the route that answered, e.g.
	// "POST /v1/tokens" or "GET /v1/tokens/{token}" — never the path;
	// "/" for paths no route serves.
	Route string
	// Status is the HTTP status answered.
	Status int
	// Code is the error code answered, "" for a success.
	Code errcode.Code
	// Duration is the time from the request's arrival at the handler to
	// its answer, a risk slow-down included.
	Duration time.Duration
	// Risk is what the rate limits and the card-testing defence did: ""
	// (nothing), [RiskSlowed] or [RiskBlocked].
	Risk string
	// Limit names the limit that slowed or blocked the request, one of
	// sdk/risk's Reason constants ("client_cards", …); "" when Risk is "".
	Limit string
}

// The values of [RequestStats.Risk].
const (
	// RiskSlowed: the request was held for the limit's delay, then served.
	RiskSlowed = "slowed"
	// RiskBlocked: the request was refused with rate_limited.
	RiskBlocked = "blocked"
)

// observe hands the stats of a finished request to h's observer.
func (h *Handler) observe(sw *statusWriter, route string, d time.Duration) {
	status := sw.status
	if status == 0 {
		status = http.StatusOK // nothing written: net/http answers 200
	}
	h.observer(RequestStats{Route: route, Status: status, Code: sw.code, Duration: d, Risk: sw.risk, Limit: sw.limit})
}
