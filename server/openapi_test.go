package server

import (
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"

	"tdkt/domain"
)

type spec struct {
	OpenAPI    string                              `yaml:"openapi"`
	Paths      map[string]map[string]any           `yaml:"paths"`
	Components struct{ Schemas map[string]schema } `yaml:"components"`
}

type schema struct {
	Enum []string `yaml:"enum"`
}

func loadSpec(t *testing.T) spec {
	t.Helper()
	var s spec
	if err := yaml.Unmarshal(openapiYAML, &s); err != nil {
		t.Fatalf("openapi.yaml: %v", err)
	}
	if !strings.HasPrefix(s.OpenAPI, "3.") {
		t.Fatalf("openapi version %q", s.OpenAPI)
	}
	return s
}

var ginParam = regexp.MustCompile(`:([A-Za-z_]+)`)

// TestOpenAPIRoutes fails on any route missing from the spec or the router.
func TestOpenAPIRoutes(t *testing.T) {
	e := newEnv(t)
	s := loadSpec(t)
	inRouter := map[string]bool{}
	for _, r := range e.s.engine.Routes() {
		inRouter[r.Method+" "+ginParam.ReplaceAllString(r.Path, "{$1}")] = true
	}
	inSpec := map[string]bool{}
	for path, ops := range s.Paths {
		if _, elsewhere := ops["servers"]; elsewhere {
			// Served by another listener (/metrics: the admin one).
			continue
		}
		for m := range ops {
			switch m {
			case "get", "post", "put", "patch", "delete", "head", "options":
				inSpec[strings.ToUpper(m)+" "+path] = true
			}
		}
	}
	for r := range inRouter {
		if !inSpec[r] {
			t.Errorf("route %s is not in openapi.yaml", r)
		}
	}
	for r := range inSpec {
		if !inRouter[r] {
			t.Errorf("openapi.yaml describes %s, which the router does not serve", r)
		}
	}
	rec := e.do(req{method: "GET", path: "/openapi.yaml"})
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/yaml") || rec.Body.Len() != len(openapiYAML) {
		t.Fatalf("serving the spec: %d %v", rec.Code, rec.Header())
	}
}

func strs[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}

// TestOpenAPIEnums checks the spec's enums are the domain's lists, in order.
func TestOpenAPIEnums(t *testing.T) {
	s := loadSpec(t)
	var stages, awards, historyActions []string
	for _, i := range domain.Stages {
		stages = append(stages, string(i.Stage))
	}
	for _, a := range domain.Catalogue {
		awards = append(awards, a.Code)
	}
	seen := map[domain.Action]bool{}
	for _, tr := range domain.Table {
		if !seen[tr.Action] {
			seen[tr.Action] = true
			historyActions = append(historyActions, string(tr.Action))
		}
	}
	historyActions = append(historyActions, string(domain.ActSubmit))
	sort.Strings(historyActions)
	histSpec := append([]string(nil), s.Components.Schemas["HistoryAction"].Enum...)
	sort.Strings(histSpec)

	errorKinds := map[string][]string{
		"Stage":         stages,
		"DossierStatus": strs(domain.Statuses),
		"Action":        strs(domain.PublicActions()),
		"Role":          strs(domain.Roles),
		"HistoryRole":   append(strs(domain.Roles), string(domain.RoleSystem)),
		"AwardCode":     awards,
		"Kind":          strs(domain.Kinds),
		"Procedure":     {string(domain.ProcedureRegular), string(domain.ProcedureSimplified)},
		"NomineeType":   {string(domain.Individual), string(domain.Collective)},
		"Authority":     {string(domain.AuthorityProvince), string(domain.AuthorityPM), string(domain.AuthorityPresident)},
		"DocumentKind":  strs(domain.DocumentKinds),
		"UnitKind":      strs(domain.UnitKinds),
		"RegistryAwardCode": func() (out []string) {
			for _, a := range domain.RegistryAwards {
				out = append(out, a.Code)
			}
			return out
		}(),
		"CampaignKind": strs(domain.CampaignKinds),
	}
	for name, want := range errorKinds {
		got := s.Components.Schemas[name].Enum
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("enum %s = %v, domain says %v", name, got, want)
		}
	}
	if strings.Join(histSpec, ",") != strings.Join(historyActions, ",") {
		t.Errorf("enum HistoryAction = %v, domain says %v", histSpec, historyActions)
	}
}

// TestOpenAPIRefs checks every $ref points at a component that exists.
func TestOpenAPIRefs(t *testing.T) {
	var doc map[string]any
	if err := yaml.Unmarshal(openapiYAML, &doc); err != nil {
		t.Fatal(err)
	}
	var walk func(v any)
	n := 0
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, c := range x {
				if k == "$ref" {
					n++
					ref, _ := c.(string)
					var cur any = doc
					for _, seg := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
						m, ok := cur.(map[string]any)
						if !ok {
							cur = nil
							break
						}
						cur = m[seg]
					}
					if cur == nil {
						t.Errorf("dangling $ref %s", ref)
					}
				}
				walk(c)
			}
		case []any:
			for _, c := range x {
				walk(c)
			}
		}
	}
	walk(doc)
	if n < 50 {
		t.Errorf("only %d $refs found; is the walk broken?", n)
	}
}
