package edge

import "net/http"

// qrTrust answers GET /v1/qr/trust with the registry's signed trust bundle.
func (h *Handler) qrTrust(c *call) (*response, error) {
	if h.trust == nil {
		return nil, errNotFound
	}
	hd := http.Header{}
	hd.Set("Content-Type", "application/json")
	hd.Set("Cache-Control", "public, max-age=300")
	return &response{status: http.StatusOK, header: hd, raw: h.trust}, nil
}

// qrVerify answers POST /v1/qr/verify. (Wired to sdk/qr when it lands.)
func (h *Handler) qrVerify(c *call) (*response, error) { return nil, errNotFound }

// qrSign answers POST /v1/qr. (Wired to sdk/qr when it lands.)
func (h *Handler) qrSign(c *call) (*response, error) { return nil, errNotFound }
