package server

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"tdkt/app"
)

// writeItems answers 200 with a list of dossiers already encoded, as
// itemsOf would: {"items": [...], "next_cursor": "..."}, next_cursor left
// out when empty. The answer is written at once, with its length.
func writeItems(c *gin.Context, items *app.JSONItems, next string) {
	var tail []byte
	if next != "" {
		q, _ := json.Marshal(next)
		tail = append(append([]byte(`,"next_cursor":`), q...), '}')
	} else {
		tail = []byte{'}'}
	}
	const head = `{"items":[`
	body := items.Bytes()
	h := c.Writer.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(head)+len(body)+1+len(tail)))
	c.Status(http.StatusOK)
	c.Writer.WriteString(head)
	c.Writer.Write(body)
	c.Writer.WriteString("]")
	c.Writer.Write(tail)
}
