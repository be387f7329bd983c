package edge

import (
	"net/http"
	"slices"
)

// routeMux is the handler's ServeMux, remembering each pattern it is
// given so that [Handler.Routes] can list them.
type routeMux struct {
	*http.ServeMux
	patterns []string
}

// Handle registers handler for pattern and remembers the pattern.
func (m *routeMux) Handle(pattern string, handler http.Handler) {
	m.ServeMux.Handle(pattern, handler)
	m.patterns = append(m.patterns, pattern)
}

// HandleFunc registers f for pattern and remembers the pattern.
func (m *routeMux) HandleFunc(pattern string, f func(http.ResponseWriter, *http.Request)) {
	m.Handle(pattern, http.HandlerFunc(f))
}

// Routes returns the ServeMux patterns the handler serves ("GET /v1/keys",
// "OPTIONS /v1/tokens", …), sorted; "/" is the fallback that answers
// 404 not_found. A GET pattern also answers HEAD. docs/openapi.yaml must
// document every one: its contract test compares the two.
func (h *Handler) Routes() []string {
	return slices.Sorted(slices.Values(h.mux.patterns))
}
