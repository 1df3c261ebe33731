package web

import "testing"

// Every page template parses with the layout: a template broken by a merge
// (an {{end}} lost) fails here, not first when the console starts.
func TestEveryPageParses(t *testing.T) {
	pages, err := parsePages()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range pageNames {
		if pages[name] == nil {
			t.Errorf("page %s is listed but not parsed", name)
		}
	}
}
