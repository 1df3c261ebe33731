package web

import (
	"slices"
	"testing"

	"tdkt/domain"
)

func hrefs(items []navItem) (out []string, current string) {
	for _, it := range items {
		out = append(out, it.Href)
		if it.Current {
			if current != "" {
				current += ","
			}
			current += it.Href
		}
	}
	return out, current
}

func TestNavigationGroupsTheBooksWhenTheyAreMany(t *testing.T) {
	officer := domain.Actor{ID: "o", Roles: []domain.Role{domain.RoleOfficer}}
	unit := domain.Actor{ID: "u", Roles: []domain.Role{domain.RoleUnit}, Unit: "SGDDT"}
	member := domain.Actor{ID: "c1", Roles: []domain.Role{domain.RoleCouncil}}
	admin := domain.Actor{ID: "a", Roles: []domain.Role{domain.RoleAdmin}}
	for _, c := range []struct {
		name    string
		a       domain.Actor
		path    string
		want    []string
		current string
	}{
		{"officer on the inbox", officer, "/tasks", []string{"/tasks", "/dossiers", "/batches", "/sessions", "/books"}, "/tasks"},
		{"officer importing into the registry", officer, "/registry/import", []string{"/tasks", "/dossiers", "/batches", "/sessions", "/books"}, "/books"},
		{"officer on a batch", officer, "/batches/DS-2026-0001", []string{"/tasks", "/dossiers", "/batches", "/sessions", "/books"}, "/batches"},
		{"unit on the form", unit, "/dossiers/new", []string{"/dossiers", "/dossiers/new", "/registry", "/plan", "/registrations"}, "/dossiers/new"},
		{"unit on a dossier", unit, "/dossiers/HS-2026-000001", []string{"/dossiers", "/dossiers/new", "/registry", "/plan", "/registrations"}, "/dossiers"},
		{"member", member, "/plan", []string{"/tasks", "/dossiers", "/sessions", "/council", "/plan"}, "/plan"},
		{"admin on the reminders", admin, "/reminders", []string{"/admin", "/dossiers", "/batches", "/sessions", "/books"}, "/books"},
	} {
		got, cur := hrefs(navFor(c.a, c.path))
		if len(got) > navMax {
			t.Errorf("%s: %d links, more than %d", c.name, len(got), navMax)
		}
		if !slices.Equal(got, c.want) || cur != c.current {
			t.Errorf("%s: got %v current %q, want %v current %q", c.name, got, cur, c.want, c.current)
		}
	}
	// Whatever is behind the books link is on the books page, and nothing
	// a person may not read.
	books, _ := hrefs(booksFor(officer))
	if want := []string{"/registry", "/units", "/holds", "/council", "/plan", "/registrations", "/reports"}; !slices.Equal(books, want) {
		t.Errorf("officer's books %v, want %v", books, want)
	}
	if books, _ := hrefs(booksFor(member)); !slices.Equal(books, []string{"/council", "/plan"}) {
		t.Errorf("a member's books %v", books)
	}
}
