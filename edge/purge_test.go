package edge

import (
	"errors"
	"testing"
	"time"
)

func TestPurgeConfig(t *testing.T) {
	h := HashAPIKey("sk_x")
	doc := func(purge string) string {
		return `{"purge":` + purge + `,"merchants":[{"id":"m","secret_keys":["` + h + `"]}]}`
	}
	for _, tc := range []struct {
		name, purge string
		ok          bool
		want        purgeSettings
	}{
		{"defaults", `{}`, true, purgeSettings{time.Minute, 10 * time.Minute, 5 * time.Minute, 15 * time.Minute, 0}},
		{"all set", `{"interval":"30s","cvc_ttl":"2m","cvc_key_window":"1m","single_use_ttl":"5m","risk_retention":"1h"}`, true,
			purgeSettings{30 * time.Second, 2 * time.Minute, time.Minute, 5 * time.Minute, time.Hour}},
		{"cvc_ttl over an hour", `{"cvc_ttl":"61m"}`, false, purgeSettings{}},
		{"single_use_ttl over a day", `{"single_use_ttl":"25h"}`, false, purgeSettings{}},
		{"fraction of a second", `{"cvc_ttl":"1500ms"}`, false, purgeSettings{}},
		{"zero window", `{"cvc_key_window":"0s"}`, false, purgeSettings{}},
		{"negative retention", `{"risk_retention":"-1s"}`, false, purgeSettings{}},
		{"not a duration", `{"interval":"often"}`, false, purgeSettings{}},
		{"unknown member", `{"audit_retention":"30d"}`, false, purgeSettings{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := ParseConfig([]byte(doc(tc.purge)))
			if !tc.ok {
				if !errors.Is(err, ErrConfig) {
					t.Errorf("ParseConfig(purge %s) = %v, want ErrConfig", tc.purge, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, err := cfg.Purge.settings()
			if err != nil || got != tc.want {
				t.Errorf("settings(%s) = %+v, %v; want %+v", tc.purge, got, err, tc.want)
			}
		})
	}
}
