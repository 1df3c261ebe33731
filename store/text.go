package store

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// PostgreSQL text and jsonb hold neither NUL nor invalid UTF-8. What users
// type reaches the read model through the workflow, so a stray "\u0000" in a
// summary must not make a projection fail for ever: it is stored as U+FFFD.

// storable reports whether every s can be a text parameter as it is. A
// lookup by a value that is not storable cannot match anything stored.
func storable(ss ...string) bool {
	for _, s := range ss {
		if strings.IndexByte(s, 0) >= 0 || !utf8.ValidString(s) {
			return false
		}
	}
	return true
}

// cleanText makes s storable.
func cleanText(s string) string {
	if storable(s) {
		return s
	}
	return strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", "\uFFFD"), "\uFFFD")
}

// cleanJSON makes a JSON document storable as jsonb. encoding/json already
// replaces invalid UTF-8; only the escaped NUL remains to be dealt with.
func cleanJSON(b []byte) ([]byte, error) {
	if !bytes.Contains(b, []byte(`\u0000`)) {
		return b, nil
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, err
	}
	return json.Marshal(cleanValue(v))
}

func cleanValue(v any) any {
	switch x := v.(type) {
	case string:
		return cleanText(x)
	case []any:
		for i := range x {
			x[i] = cleanValue(x[i])
		}
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[cleanText(k)] = cleanValue(e)
		}
		return out
	}
	return v
}
