package risk_test

import (
	"errors"
	"testing"
	"time"

	"github.com/sealpay/sealpay/sdk/errcode"
	"github.com/sealpay/sealpay/sdk/risk"
)

func TestDecide(t *testing.T) {
	p := risk.DefaultPolicy()
	for _, tc := range []struct {
		name string
		u    risk.Usage
		want risk.Decision
	}{
		{"nothing", risk.Usage{}, risk.Decision{Allow: true}},
		{"a shopper", risk.Usage{ClientRequests: 3, KeyRequests: 900, ClientCards: 1, ClientFailures: 2, KeyCards: 300, KeyFailures: 20},
			risk.Decision{Allow: true}},
		{"at the slow threshold", risk.Usage{ClientCards: 3}, risk.Decision{Allow: true}},
		{"one card over", risk.Usage{ClientCards: 4}, risk.Decision{Allow: true, Delay: 250 * time.Millisecond, Reason: risk.ReasonClientCards}},
		{"two cards over", risk.Usage{ClientCards: 5}, risk.Decision{Allow: true, Delay: 500 * time.Millisecond, Reason: risk.ReasonClientCards}},
		{"a fraction over rounds up", risk.Usage{ClientCards: 3.2}, risk.Decision{Allow: true, Delay: 250 * time.Millisecond, Reason: risk.ReasonClientCards}},
		{"at the block threshold", risk.Usage{ClientCards: 6}, risk.Decision{Allow: true, Delay: time.Second, Reason: risk.ReasonClientCards}},
		{"over the block threshold", risk.Usage{ClientCards: 7}, risk.Decision{Code: errcode.RateLimited, Delay: 10 * time.Minute, Reason: risk.ReasonClientCards}},
		{"failures", risk.Usage{ClientFailures: 9}, risk.Decision{Code: errcode.RateLimited, Delay: 10 * time.Minute, Reason: risk.ReasonClientFailures}},
		{"request rate", risk.Usage{ClientRequests: 121}, risk.Decision{Code: errcode.RateLimited, Delay: time.Minute, Reason: risk.ReasonClientRequests}},
		{"key request rate", risk.Usage{KeyRequests: 6001}, risk.Decision{Code: errcode.RateLimited, Delay: time.Minute, Reason: risk.ReasonKeyRequests}},
		{"delay is capped", risk.Usage{ClientRequests: 119}, risk.Decision{Allow: true, Delay: 4 * time.Second, Reason: risk.ReasonClientRequests}},
		{"the longest delay wins", risk.Usage{ClientCards: 4, KeyFailures: 53, KeyAttempts: 60}, risk.Decision{Allow: true, Delay: time.Second, Reason: risk.ReasonKeyFailures}},
		{"a refusal beats a delay", risk.Usage{ClientCards: 5, KeyFailures: 501, KeyAttempts: 600}, risk.Decision{Code: errcode.RateLimited, Delay: 10 * time.Minute, Reason: risk.ReasonKeyFailures}},
		{"the client's refusal is named first", risk.Usage{ClientFailures: 9, KeyFailures: 501, KeyAttempts: 501}, risk.Decision{Code: errcode.RateLimited, Delay: 10 * time.Minute, Reason: risk.ReasonClientFailures}},
		{"key failures at a shop's usual rate", risk.Usage{KeyFailures: 600, KeyAttempts: 2000}, risk.Decision{Allow: true}},
		{"key failures just under the ratio", risk.Usage{KeyFailures: 59.9, KeyAttempts: 100}, risk.Decision{Allow: true}},
		{"key failures at the ratio", risk.Usage{KeyFailures: 60, KeyAttempts: 100}, risk.Decision{Allow: true, Delay: 4 * time.Second, Reason: risk.ReasonKeyFailures}},
		{"key failures without attempts recorded", risk.Usage{KeyFailures: 600}, risk.Decision{Allow: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := p.Decide(tc.u); got != tc.want {
				t.Errorf("Decide(%+v) = %+v, want %+v", tc.u, got, tc.want)
			}
		})
	}
}

func TestDecideDisabledLimits(t *testing.T) {
	p := risk.Policy{ClientCards: risk.Limit{Window: time.Minute, Block: 2}} // no Slow: refuse without slowing first
	for _, tc := range []struct {
		n    float64
		want risk.Decision
	}{
		{2, risk.Decision{Allow: true}},
		{3, risk.Decision{Code: errcode.RateLimited, Delay: time.Minute, Reason: risk.ReasonClientCards}},
	} {
		if got := p.Decide(risk.Usage{ClientCards: tc.n, KeyFailures: 1e9}); got != tc.want {
			t.Errorf("Decide(cards %v) = %+v, want %+v", tc.n, got, tc.want)
		}
	}
}

func TestDecisionErr(t *testing.T) {
	if err := (risk.Decision{Allow: true, Delay: time.Second}).Err(); err != nil {
		t.Errorf("allowed Decision.Err() = %v, want nil", err)
	}
	err := risk.Decision{Code: errcode.RateLimited, Reason: risk.ReasonClientCards}.Err()
	if !errors.Is(err, risk.ErrRateLimited) || errcode.Of(err) != errcode.RateLimited {
		t.Errorf("refused Decision.Err() = %v, want ErrRateLimited (rate_limited)", err)
	}
}
