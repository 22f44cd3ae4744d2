package jiratest_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/seatwarden/seatwarden/jira/jiratest"
)

// TestCloudRESTv2: Cloud serves REST v2 on the same state as v3, with
// descriptions and comments as plain strings instead of ADF.
func TestCloudRESTv2(t *testing.T) {
	t.Parallel()
	s := newCloud(t, jiratest.WithOrg(managedOrg()))
	c := cloudClient(t, s)
	kim := accountID(t, s, "kim@example.com")

	var u cloudUser
	c.want(200, "GET", "/rest/api/2/user?accountId="+kim+"&expand=groups", nil).decode(t, &u)
	if u.AccountID != kim || u.Groups == nil || len(u.Groups.Items) != 2 {
		t.Errorf("v2 user %+v", u)
	}
	var self struct{ Self string }
	c.want(200, "GET", "/rest/api/2/user?accountId="+kim, nil).decode(t, &self)
	if !strings.Contains(self.Self, "/rest/api/2/user?accountId=") {
		t.Errorf("v2 self link %s", self.Self)
	}
	var found []cloudUser
	c.want(200, "GET", "/rest/api/2/user/search?query=kim", nil).decode(t, &found)
	if len(found) != 1 || found[0].AccountID != kim {
		t.Errorf("v2 user/search %+v", found)
	}
	var members struct {
		Values []cloudUser `json:"values"`
	}
	c.want(200, "GET", "/rest/api/2/group/member?groupname=eng", nil).decode(t, &members)
	if len(members.Values) != 1 || members.Values[0].AccountID != kim {
		t.Errorf("v2 group/member %+v", members)
	}
	// Writes on v2 show on v3: one state.
	guest := accountID(t, s, "guest@partner.io")
	c.want(201, "POST", "/rest/api/2/group/user?groupname=eng", map[string]string{"accountId": guest})
	c.want(200, "GET", "/rest/api/3/group/member?groupname=eng", nil).decode(t, &members)
	if len(members.Values) != 2 {
		t.Errorf("v3 after a v2 write: %d members", len(members.Values))
	}

	// Issues: a string description on v2, ADF on v3, the same issue.
	var created struct{ ID, Key, Self string }
	c.want(201, "POST", "/rest/api/2/issue", map[string]any{"fields": map[string]any{
		"project": map[string]string{"key": "OPS"}, "issuetype": map[string]string{"name": "Task"},
		"summary": "v2", "description": "first line\nsecond line"}}).decode(t, &created)
	if !strings.Contains(created.Self, "/rest/api/2/issue/") {
		t.Errorf("v2 create self %s", created.Self)
	}
	c.want(400, "POST", "/rest/api/2/issue", map[string]any{"fields": map[string]any{
		"project": map[string]string{"key": "OPS"}, "issuetype": map[string]string{"name": "Task"},
		"summary": "adf on v2", "description": map[string]any{"type": "doc", "version": 1, "content": []any{}}}})
	var v2, v3 struct {
		Fields struct {
			Description json.RawMessage `json:"description"`
		} `json:"fields"`
	}
	c.want(200, "GET", "/rest/api/2/issue/"+created.Key, nil).decode(t, &v2)
	if string(v2.Fields.Description) != `"first line\nsecond line"` {
		t.Errorf("v2 description %s", v2.Fields.Description)
	}
	c.want(200, "GET", "/rest/api/3/issue/"+created.Key, nil).decode(t, &v3)
	var doc struct {
		Type    string `json:"type"`
		Content []struct {
			Type    string                  `json:"type"`
			Content []struct{ Text string } `json:"content"`
		} `json:"content"`
	}
	if err := json.Unmarshal(v3.Fields.Description, &doc); err != nil || doc.Type != "doc" || len(doc.Content) != 2 ||
		doc.Content[1].Content[0].Text != "second line" {
		t.Errorf("v3 description %s", v3.Fields.Description)
	}

	// Comments: a string on v2 reads as ADF on v3, and back.
	c.want(201, "POST", "/rest/api/2/issue/"+created.Key+"/comment", map[string]string{"body": "from v2"})
	c.want(201, "POST", "/rest/api/3/issue/"+created.Key+"/comment", map[string]any{"body": map[string]any{
		"type": "doc", "version": 1, "content": []any{map[string]any{"type": "paragraph",
			"content": []any{map[string]string{"type": "text", "text": "from v3"}}}}}})
	c.want(400, "POST", "/rest/api/2/issue/"+created.Key+"/comment", map[string]any{"body": map[string]any{"type": "doc"}})
	var comments struct {
		Comments []struct {
			Body         json.RawMessage `json:"body"`
			UpdateAuthor *struct {
				AccountID string `json:"accountId"`
			} `json:"updateAuthor"`
		} `json:"comments"`
	}
	c.want(200, "GET", "/rest/api/2/issue/"+created.Key+"/comment", nil).decode(t, &comments)
	if len(comments.Comments) != 2 || string(comments.Comments[0].Body) != `"from v2"` || string(comments.Comments[1].Body) != `"from v3"` {
		t.Errorf("v2 comments %+v", comments)
	}
	if comments.Comments[0].UpdateAuthor == nil || comments.Comments[0].UpdateAuthor.AccountID == "" {
		t.Errorf("comment without updateAuthor")
	}
	c.want(200, "GET", "/rest/api/3/issue/"+created.Key+"/comment", nil).decode(t, &comments)
	if comments.Comments[0].Body[0] != '{' {
		t.Errorf("v3 comment body %s", comments.Comments[0].Body)
	}
	is, _ := s.Issue(created.Key)
	if len(is.Comments) != 2 || is.Comments[0][0] != '{' {
		t.Errorf("the state keeps ADF: %s", is.Comments)
	}
	// Transitions on v2.
	var trs struct {
		Transitions []struct {
			ID          string `json:"id"`
			IsAvailable *bool  `json:"isAvailable"`
		} `json:"transitions"`
	}
	c.want(200, "GET", "/rest/api/2/issue/"+created.Key+"/transitions", nil).decode(t, &trs)
	if len(trs.Transitions) == 0 || trs.Transitions[0].IsAvailable == nil || !*trs.Transitions[0].IsAvailable {
		t.Errorf("v2 transitions %+v", trs)
	}
	c.want(204, "POST", "/rest/api/2/issue/"+created.Key+"/transitions", map[string]any{"transition": map[string]string{"id": "21"}})
	if is, _ := s.Issue(created.Key); is.Status != "Approved" {
		t.Errorf("status %s", is.Status)
	}
}
