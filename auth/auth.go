// Package auth mints and verifies the API's bearer tokens (JWT): HS256 with a
// shared secret for development and tests, RS256/ES256 keys from an OIDC
// provider's key set (JWKS) in production. A verified token becomes a
// domain.Actor; anything doubtful is refused.
package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"

	"tdkt/domain"
)

// Leeway is the clock skew tolerated on exp, iat and nbf.
const Leeway = 30 * time.Second

// ErrUnauthenticated wraps every refusal of Verify; callers answer 401.
var ErrUnauthenticated = errors.New("unauthenticated")

// Claims are the token claims of API.md: sub, name, roles, unit, exp.
type Claims struct {
	Name  string   `json:"name,omitempty"`
	Roles []string `json:"roles"`
	Unit  string   `json:"unit,omitempty"`
	jwt.RegisteredClaims
}

// Mint signs an HS256 token for the given person. It is for development, tests
// and `tdkt token`; production tokens come from the identity provider.
func Mint(secret []byte, sub, name string, roles []domain.Role, unit string, ttl time.Duration) (string, error) {
	if len(secret) == 0 {
		return "", errors.New("auth: mint: empty secret")
	}
	if sub == "" {
		return "", errors.New("auth: mint: empty subject")
	}
	now := time.Now()
	c := Claims{Name: name, Unit: unit, Roles: make([]string, len(roles)),
		RegisteredClaims: jwt.RegisteredClaims{Subject: sub, IssuedAt: jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(ttl))}}
	for i, r := range roles {
		c.Roles[i] = string(r)
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(secret)
}

// Verifier checks bearer tokens.
type Verifier struct {
	secret []byte
	jwks   keyfunc.Keyfunc
	now    func() time.Time
}

var (
	hmacAlgs       = []string{"HS256"}
	asymmetricAlgs = []string{"RS256", "ES256"}
)

// NewVerifier builds a verifier that accepts HS256 tokens signed with secret
// (when not empty) and RS256/ES256 tokens signed by a key of the JWKS at
// jwksURL (when not empty). The key set is cached and refreshed in the
// background until ctx ends; an unknown key id triggers a rate-limited refresh.
func NewVerifier(ctx context.Context, secret []byte, jwksURL string) (*Verifier, error) {
	if len(secret) == 0 && jwksURL == "" {
		return nil, errors.New("auth: need a secret or a JWKS URL")
	}
	v := &Verifier{secret: secret, now: time.Now}
	if jwksURL != "" {
		kf, err := keyfunc.NewDefaultOverrideCtx(ctx, []string{jwksURL}, keyfunc.Override{
			HTTPTimeout:     10 * time.Second,
			RefreshInterval: 15 * time.Minute,
		})
		if err != nil {
			return nil, fmt.Errorf("auth: key set %s: %w", jwksURL, err)
		}
		v.jwks = kf
	}
	return v, nil
}

func (v *Verifier) algs() []string {
	var out []string
	if len(v.secret) > 0 {
		out = append(out, hmacAlgs...)
	}
	if v.jwks != nil {
		out = append(out, asymmetricAlgs...)
	}
	return out
}

// key picks the verification key by the token's algorithm, so that a token
// can never make the verifier use a key of the wrong type (an HS256 token
// "signed" with a public key, or alg none).
func (v *Verifier) key(t *jwt.Token) (any, error) {
	switch t.Method.Alg() {
	case "HS256":
		if len(v.secret) == 0 {
			return nil, errors.New("HS256 tokens are not accepted")
		}
		return v.secret, nil
	case "RS256", "ES256":
		if v.jwks == nil {
			return nil, fmt.Errorf("%s tokens are not accepted", t.Method.Alg())
		}
		return v.jwks.Keyfunc(t)
	}
	return nil, fmt.Errorf("algorithm %q is not accepted", t.Method.Alg())
}

// Verify checks a token's signature, algorithm and lifetime, and turns its
// claims into an actor. Every failure wraps ErrUnauthenticated.
func (v *Verifier) Verify(token string) (domain.Actor, error) {
	token = strings.TrimSpace(token)
	if token == "" {
		return domain.Actor{}, fmt.Errorf("%w: no token", ErrUnauthenticated)
	}
	var c Claims
	_, err := jwt.ParseWithClaims(token, &c, v.key,
		jwt.WithValidMethods(v.algs()), jwt.WithExpirationRequired(), jwt.WithLeeway(Leeway),
		jwt.WithTimeFunc(v.now))
	if err != nil {
		return domain.Actor{}, fmt.Errorf("%w: %v", ErrUnauthenticated, err)
	}
	return actorOf(c)
}

func actorOf(c Claims) (domain.Actor, error) {
	return ActorFromClaims(c.Subject, c.Name, c.Unit, c.Roles)
}

// ActorFromClaims applies the token claim rules (API.md) to claims taken from
// any verified token, so that the API's bearer tokens and the console's OIDC
// sign-in (package web/oidc) admit exactly the same people: sub is required,
// at least one role, every role known, role unit needs a unit; roles are
// deduplicated. Every failure wraps ErrUnauthenticated.
func ActorFromClaims(sub, name, unit string, roles []string) (domain.Actor, error) {
	a := domain.Actor{ID: sub, Name: name, Unit: unit}
	if strings.TrimSpace(a.ID) == "" {
		return domain.Actor{}, fmt.Errorf("%w: token has no sub", ErrUnauthenticated)
	}
	if len(roles) == 0 {
		return domain.Actor{}, fmt.Errorf("%w: token has no roles", ErrUnauthenticated)
	}
	for _, s := range roles {
		r := domain.Role(s)
		if !domain.ValidRole(r) {
			return domain.Actor{}, fmt.Errorf("%w: unknown role %q", ErrUnauthenticated, s)
		}
		if !a.Has(r) {
			a.Roles = append(a.Roles, r)
		}
	}
	if a.Has(domain.RoleUnit) && strings.TrimSpace(a.Unit) == "" {
		return domain.Actor{}, fmt.Errorf("%w: role unit needs a unit claim", ErrUnauthenticated)
	}
	return a, nil
}
