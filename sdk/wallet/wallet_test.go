package wallet

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

// TestPaymentRedacts prints a Payment every way a program might and
// checks that neither the number nor the cryptogram shows.
func TestPaymentRedacts(t *testing.T) {
	p := Payment{Wallet: GooglePay, Number: "4895370012003478", ExpMonth: 12, ExpYear: 2030,
		AuthMethod: Cryptogram3DS, Cryptogram: "AgAAAAAABk4DWZ4C28yUQAAAAAA=", ECI: "05", MessageID: "m1"}
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("paid", "payment", p, "ptr", &p)
	j, _ := json.Marshal(p)
	jp, _ := json.Marshal(map[string]any{"p": &p})
	outs := map[string]string{
		"%v": fmt.Sprintf("%v", p), "%+v": fmt.Sprintf("%+v", p), "%#v": fmt.Sprintf("%#v", p), "%s": fmt.Sprintf("%s", p),
		"%v pointer": fmt.Sprintf("%v", &p), "%+v pointer": fmt.Sprintf("%+v", &p), "%d": fmt.Sprintf("%d", p),
		"%v in a slice": fmt.Sprintf("%v", []Payment{p}), "%+v in a struct": fmt.Sprintf("%+v", struct{ P Payment }{p}),
		"json": string(j), "json pointer": string(jp), "slog": logged.String(), "String": p.String(),
	}
	for how, s := range outs {
		if strings.Contains(s, p.Number) || strings.Contains(s, p.Cryptogram) {
			t.Errorf("%s shows the number or the cryptogram", how)
		}
		if !strings.Contains(s, "3478") {
			t.Errorf("%s = %q, want the last four digits", how, s)
		}
	}
}
