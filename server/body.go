package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"tdkt/domain"
)

const (
	// MaxJSONBody is the largest JSON body accepted outside uploads.
	MaxJSONBody = 1 << 20
	// MaxJSONDepth is the deepest nesting of objects and arrays accepted.
	MaxJSONDepth = 32
)

// decodeJSON reads a JSON request body into dst. An empty body is allowed
// when optional; it leaves dst as it is. It answers the request itself and
// returns false on any refusal: 415 for a body that is not declared as JSON,
// 413 over MaxJSONBody, 400 for invalid UTF-8, too deep nesting, or JSON that
// does not parse, 422 naming the field when a value has the wrong type.
// Unknown fields are ignored.
func decodeJSON(c *gin.Context, dst any, optional bool) bool {
	r := c.Request
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, r.Body, MaxJSONBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			fail(c, http.StatusRequestEntityTooLarge, "the body is larger than %d bytes", MaxJSONBody)
			return false
		}
		fail(c, http.StatusBadRequest, "the body could not be read")
		return false
	}
	if len(bytes.TrimSpace(body)) == 0 {
		if optional {
			return true
		}
		fail(c, http.StatusBadRequest, "a JSON body is required")
		return false
	}
	if !isJSONMediaType(r.Header.Get("Content-Type")) {
		fail(c, http.StatusUnsupportedMediaType, "the body must be application/json")
		return false
	}
	if !utf8.Valid(body) {
		fail(c, http.StatusBadRequest, "the body is not valid UTF-8")
		return false
	}
	if err := checkDepth(body, MaxJSONDepth); err != nil {
		fail(c, http.StatusBadRequest, "%v", err)
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(dst); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) && typeErr.Field != "" {
			invalid(c, domain.FieldError{Field: typeErr.Field, Message: "must be " + jsonKind(typeErr.Type.Kind().String())})
			return false
		}
		fail(c, http.StatusBadRequest, "the body is not valid JSON: %v", err)
		return false
	}
	if _, err := dec.Token(); err != io.EOF {
		fail(c, http.StatusBadRequest, "the body holds more than one JSON value")
		return false
	}
	return true
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "slice", "array":
		return "an array"
	case "struct", "map":
		return "an object"
	case "int", "int64", "float64":
		return "a number"
	case "ptr":
		return "of another type"
	}
	return "of another type"
}

// isJSONMediaType accepts application/json and any +json type. A missing
// Content-Type is refused too: a body must say what it is.
func isJSONMediaType(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	return mt == "application/json" || (strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json"))
}

// checkDepth refuses JSON nested deeper than max, before the decoder sees it.
func checkDepth(b []byte, max int) error {
	depth, inString, escaped := 0, false, false
	for _, c := range b {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
			if depth > max {
				return fmt.Errorf("the body is nested deeper than %d levels", max)
			}
		case c == '}' || c == ']':
			depth--
		}
	}
	return nil
}
