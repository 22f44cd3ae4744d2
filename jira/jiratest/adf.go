package jiratest

import (
	"encoding/json"
	"strings"

	"github.com/seatwarden/seatwarden/jira"
)

// Cloud keeps issue descriptions and comment bodies as Atlassian Document
// Format; REST v2 reads and writes them as plain strings. The fake stores
// ADF on Cloud and converts at the edge of a v2 request: a string becomes
// a document with a paragraph per line, and a document becomes its text,
// paragraphs on separate lines.

// adfNode is a node of the Atlassian Document Format.
type adfNode struct {
	Type    string    `json:"type"`
	Version int       `json:"version,omitempty"`
	Text    string    `json:"text,omitempty"`
	Content []adfNode `json:"content,omitempty"`
}

// storeText turns a body received in this request into what the state
// keeps: ADF on Cloud (converted from a v2 string), as received on DC.
func (c *call) storeText(raw json.RawMessage) json.RawMessage {
	if c.s.cfg.flavor != jira.Cloud || !c.plainText() || len(raw) == 0 || raw[0] != '"' {
		return raw
	}
	var text string
	if json.Unmarshal(raw, &text) != nil {
		return raw
	}
	doc := adfNode{Type: "doc", Version: 1, Content: []adfNode{}}
	for _, line := range strings.Split(text, "\n") {
		p := adfNode{Type: "paragraph"}
		if line != "" {
			p.Content = []adfNode{{Type: "text", Text: line}}
		}
		doc.Content = append(doc.Content, p)
	}
	out, _ := json.Marshal(doc)
	return out
}

// showText renders a stored body for this request: a plain string on Cloud
// REST v2, as stored otherwise.
func (c *call) showText(raw json.RawMessage) json.RawMessage {
	if c.s.cfg.flavor != jira.Cloud || !c.plainText() || len(raw) == 0 || raw[0] != '{' {
		return raw
	}
	var doc adfNode
	if json.Unmarshal(raw, &doc) != nil {
		return raw
	}
	var b strings.Builder
	adfText(&b, doc)
	out, _ := json.Marshal(strings.TrimSuffix(b.String(), "\n"))
	return out
}

// adfText writes the text of n: text nodes as they are, a line break per
// hardBreak and after each block.
func adfText(b *strings.Builder, n adfNode) {
	switch n.Type {
	case "text":
		b.WriteString(n.Text)
		return
	case "hardBreak":
		b.WriteByte('\n')
		return
	}
	for _, ch := range n.Content {
		adfText(b, ch)
	}
	switch n.Type {
	case "paragraph", "heading", "codeBlock", "blockquote", "listItem", "rule":
		b.WriteByte('\n')
	}
}
