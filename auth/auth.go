// Package auth mints and verifies the API's bearer tokens (JWT): HS256 with a
// shared secret for development and tests, RS256/ES256 keys from an OIDC
// provider's key set (JWKS) in production, checked against the provider's
// issuer and the API's audience. A verified token becomes a domain.Actor;
// anything doubtful is refused.
package auth

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
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

// Claims are the token claims of API.md that Mint writes: sub, name, roles,
// unit, exp (and iss, aud when given). Verify reads the roles at the
// configured path instead (RolesAt).
type Claims struct {
	Name  string   `json:"name,omitempty"`
	Roles []string `json:"roles"`
	Unit  string   `json:"unit,omitempty"`
	jwt.RegisteredClaims
}

// Mint signs an HS256 token for the given person, with neither iss nor aud.
// It is for development, tests and `tdkt token`; production tokens come from
// the identity provider. Token.Sign also writes iss and aud.
func Mint(secret []byte, sub, name string, roles []domain.Role, unit string, ttl time.Duration) (string, error) {
	return Token{Subject: sub, Name: name, Roles: roles, Unit: unit, TTL: ttl}.Sign(secret)
}

// Token is what Sign puts in a development token.
type Token struct {
	Subject, Name string
	Roles         []domain.Role
	Unit          string
	TTL           time.Duration
	// Issuer and Audience become iss and aud when not empty: a verifier
	// with Options.Issuer and Options.Audience (TDKT_JWT_ISSUER,
	// TDKT_JWT_AUDIENCE) accepts only tokens that carry them.
	Issuer, Audience string
}

// Sign signs t with HS256.
func (t Token) Sign(secret []byte) (string, error) {
	if len(secret) == 0 {
		return "", errors.New("auth: mint: empty secret")
	}
	if t.Subject == "" {
		return "", errors.New("auth: mint: empty subject")
	}
	now := time.Now()
	c := Claims{Name: t.Name, Unit: t.Unit, Roles: make([]string, len(t.Roles)),
		RegisteredClaims: jwt.RegisteredClaims{Subject: t.Subject, Issuer: t.Issuer, IssuedAt: jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(t.TTL))}}
	if t.Audience != "" {
		c.Audience = jwt.ClaimStrings{t.Audience}
	}
	for i, r := range t.Roles {
		c.Roles[i] = string(r)
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(secret)
}

// Verifier checks bearer tokens.
type Verifier struct {
	secret     []byte
	jwks       keyfunc.Keyfunc
	issuer     string
	audience   string
	rolesClaim string
	now        func() time.Time
}

// Options say which tokens a Verifier accepts.
type Options struct {
	// Secret verifies HS256 tokens (development and tests); empty accepts none.
	Secret []byte
	// JWKSURL is the identity provider's key set, for RS256/ES256 tokens;
	// empty accepts none. It must be https, but for a loopback address
	// (CheckJWKSURL).
	JWKSURL string
	// Issuer and Audience, when not empty, must be a token's iss and one of
	// its aud, whatever its algorithm. Both are required with JWKSURL: a
	// provider signs tokens for all its applications with the same keys.
	Issuer, Audience string
	// RolesClaim is the dot path to the roles array (RolesAt), "roles" when
	// empty; e.g. "realm_access.roles" for Keycloak.
	RolesClaim string
}

var (
	hmacAlgs       = []string{"HS256"}
	asymmetricAlgs = []string{"RS256", "ES256"}
)

// NewVerifier builds a verifier that accepts HS256 tokens signed with
// o.Secret (when not empty) and RS256/ES256 tokens signed by a key of the
// JWKS at o.JWKSURL (when not empty), from o.Issuer for o.Audience (when
// set; required with a JWKS). The key set is cached and refreshed in the
// background until ctx ends; an unknown key id triggers a rate-limited refresh.
func NewVerifier(ctx context.Context, o Options) (*Verifier, error) {
	secret, jwksURL := o.Secret, strings.TrimSpace(o.JWKSURL)
	if len(secret) == 0 && jwksURL == "" {
		return nil, errors.New("auth: need a secret or a JWKS URL")
	}
	v := &Verifier{secret: secret, issuer: strings.TrimSpace(o.Issuer), audience: strings.TrimSpace(o.Audience),
		rolesClaim: strings.TrimSpace(o.RolesClaim), now: time.Now}
	if v.rolesClaim == "" {
		v.rolesClaim = "roles"
	}
	if jwksURL != "" {
		if err := CheckJWKSURL(jwksURL); err != nil {
			return nil, fmt.Errorf("auth: key set: %w", err)
		}
		if v.issuer == "" || v.audience == "" {
			return nil, errors.New("auth: a key set needs the issuer and the audience to check")
		}
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
	opts := []jwt.ParserOption{jwt.WithValidMethods(v.algs()), jwt.WithExpirationRequired(),
		jwt.WithLeeway(Leeway), jwt.WithTimeFunc(v.now)}
	if v.issuer != "" {
		opts = append(opts, jwt.WithIssuer(v.issuer))
	}
	if v.audience != "" {
		opts = append(opts, jwt.WithAudience(v.audience))
	}
	claims := jwt.MapClaims{}
	if _, err := jwt.ParseWithClaims(token, claims, v.key, opts...); err != nil {
		return domain.Actor{}, fmt.Errorf("%w: %v", ErrUnauthenticated, err)
	}
	return v.actorOf(claims)
}

// actorOf reads sub, name, unit and the roles (at the configured path) from
// verified claims; a claim of the wrong type is a refusal.
func (v *Verifier) actorOf(claims jwt.MapClaims) (domain.Actor, error) {
	var sub, name, unit string
	for k, dst := range map[string]*string{"sub": &sub, "name": &name, "unit": &unit} {
		switch x := claims[k].(type) {
		case nil:
		case string:
			*dst = x
		default:
			return domain.Actor{}, fmt.Errorf("%w: claim %q is %T, not a string", ErrUnauthenticated, k, x)
		}
	}
	roles, err := RolesAt(claims, v.rolesClaim)
	if err != nil {
		return domain.Actor{}, fmt.Errorf("%w: %v", ErrUnauthenticated, err)
	}
	return ActorFromClaims(sub, name, unit, roles)
}

// RolesAt finds the roles array at path in a token's claims: a top-level
// claim named exactly path first (names such as
// "https://tdkt.example/roles" contain dots), else the dot path through
// nested objects (e.g. "realm_access.roles"). A missing claim, or a path
// through something that is not an object, is no roles; a claim that is not
// an array of strings is an error, since it means the provider or the
// configured path is wrong. The API (TDKT_JWT_ROLES_CLAIM) and the console
// (TDKT_OIDC_ROLES_CLAIM) both read roles with it.
func RolesAt(claims map[string]any, path string) ([]string, error) {
	v, ok := claims[path]
	if !ok {
		var cur any = claims
		for _, seg := range strings.Split(path, ".") {
			obj, isObj := cur.(map[string]any)
			if !isObj {
				return nil, nil
			}
			if cur, ok = obj[seg]; !ok {
				return nil, nil
			}
		}
		v = cur
	}
	if v == nil {
		return nil, nil
	}
	arr, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("roles claim %q is %T, not an array of strings", path, v)
	}
	out := make([]string, 0, len(arr))
	for _, x := range arr {
		s, ok := x.(string)
		if !ok {
			return nil, fmt.Errorf("roles claim %q holds %T, not a string", path, x)
		}
		out = append(out, s)
	}
	return out, nil
}

// CheckJWKSURL accepts a key set URL only over https, so that nobody on the
// path can swap the keys; plain http is allowed for a loopback address
// (127.0.0.0/8, ::1, localhost): a provider on the same machine, or tests.
func CheckJWKSURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Hostname() == "" {
		return fmt.Errorf("%q is not an absolute URL", raw)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		host := u.Hostname()
		if strings.EqualFold(host, "localhost") {
			return nil
		}
		if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
			return nil
		}
		return fmt.Errorf("%q: must be https (plain http only for 127.0.0.1, ::1 or localhost)", raw)
	}
	return fmt.Errorf("%q: must be an https URL", raw)
}

// ActorFromClaims applies the token claim rules (API.md) to claims taken from
// any verified token, so that the API's bearer tokens and the console's OIDC
// sign-in (package web/oidc) admit exactly the same people: sub is required;
// roles the application does not know are ignored (identity providers add
// their own: offline_access, uma_authorization, …), but at least one known
// role is required; role unit needs a unit; roles are deduplicated. Every
// failure wraps ErrUnauthenticated.
func ActorFromClaims(sub, name, unit string, roles []string) (domain.Actor, error) {
	a := domain.Actor{ID: sub, Name: name, Unit: unit}
	if strings.TrimSpace(a.ID) == "" {
		return domain.Actor{}, fmt.Errorf("%w: token has no sub", ErrUnauthenticated)
	}
	for _, s := range roles {
		if r := domain.Role(s); domain.ValidRole(r) && !a.Has(r) {
			a.Roles = append(a.Roles, r)
		}
	}
	if len(a.Roles) == 0 {
		return domain.Actor{}, fmt.Errorf("%w: no role known to the application in %q", ErrUnauthenticated, roles)
	}
	if a.Has(domain.RoleUnit) && strings.TrimSpace(a.Unit) == "" {
		return domain.Actor{}, fmt.Errorf("%w: role unit needs a unit claim", ErrUnauthenticated)
	}
	return a, nil
}
