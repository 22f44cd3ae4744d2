package transport

import (
	"context"
	"encoding/json"
	"errors"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/jira"
)

// listServer serves items 0..n-1 in the given shape, capping page size at
// serverMax the way Jira silently lowers maxResults.
func listServer(n, serverMax int, shape string) (http.HandlerFunc, *atomic.Int32) {
	var calls atomic.Int32
	return func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		q := r.URL.Query()
		size := serverMax
		if v, err := strconv.Atoi(q.Get("maxResults")); err == nil && v < size {
			size = v
		}
		if v, err := strconv.Atoi(q.Get("limit")); err == nil && v < size {
			size = v
		}
		start, _ := strconv.Atoi(q.Get("startAt"))
		if c := q.Get("cursor"); c != "" {
			start, _ = strconv.Atoi(c)
		}
		end := min(start+size, n)
		var values []int
		for i := start; i < end; i++ {
			values = append(values, i)
		}
		if values == nil {
			values = []int{}
		}
		last := end >= n
		next := ""
		if !last {
			next = strconv.Itoa(end)
		}
		var body any
		switch shape {
		case "array":
			body = values
		case "pagebean":
			body = map[string]any{"startAt": start, "maxResults": size, "total": n, "isLast": last, "values": values}
		case "stream":
			body = map[string]any{"maxResults": size, "isLast": last, "nextCursor": next, "values": values}
		case "admin":
			links := map[string]any{"self": "x"}
			if next != "" {
				links["next"] = next
			}
			body = map[string]any{"data": values, "links": links}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(body)
	}, &calls
}

type walker func(ctx context.Context, c *Client, path string, q url.Values, o PageOptions) iter.Seq2[int, error]

func collect(t *testing.T, seq iter.Seq2[int, error]) ([]int, error) {
	t.Helper()
	var got []int
	for v, err := range seq {
		if err != nil {
			return got, err
		}
		got = append(got, v)
	}
	return got, nil
}

func TestPaginationShapes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		shape     string
		walk      walker
		n         int
		pageSize  int
		serverMax int
		wantCalls int32
	}{
		// Bare arrays give no total: one extra call finds the empty page.
		{"array", Offset[int], 7, 3, 100, 4},
		{"array", Offset[int], 7, 5, 2, 5}, // server caps at 2: advance by what came
		{"array", Offset[int], 0, 3, 100, 1},
		{"pagebean", PageBeans[int], 7, 3, 100, 3},
		{"pagebean", PageBeans[int], 7, 50, 2, 4},
		{"pagebean", PageBeans[int], 0, 3, 100, 1},
		{"stream", StreamPages[int], 7, 3, 100, 3},
		{"stream", StreamPages[int], 7, 0, 4, 2},
		{"admin", AdminPages[int], 7, 3, 100, 3},
		{"admin", AdminPages[int], 6, 3, 100, 2},
	}
	for _, tt := range tests {
		t.Run(tt.shape+"/"+strconv.Itoa(tt.n)+"/"+strconv.Itoa(tt.pageSize)+"/"+strconv.Itoa(tt.serverMax), func(t *testing.T) {
			t.Parallel()
			h, calls := listServer(tt.n, tt.serverMax, tt.shape)
			c := newTestClient(t, handlerTransport{h}, nil)
			query := url.Values{"groupname": {"jira-users"}}
			seq := tt.walk(t.Context(), c, "/list", query, PageOptions{PageSize: tt.pageSize})
			got, err := collect(t, seq)
			require.NoError(t, err)
			want := []int{}
			for i := range tt.n {
				want = append(want, i)
			}
			assert.Equal(t, want, append([]int{}, got...))
			assert.Equal(t, tt.wantCalls, calls.Load())
			assert.Equal(t, url.Values{"groupname": {"jira-users"}}, query, "the caller's query is not changed")

			// Ranging again starts from the first page.
			again, err := collect(t, seq)
			require.NoError(t, err)
			assert.Equal(t, want, append([]int{}, again...))
		})
	}
}

func TestPaginationStopsEarly(t *testing.T) {
	t.Parallel()
	h, calls := listServer(100, 10, "pagebean")
	c := newTestClient(t, handlerTransport{h}, nil)
	var got []int
	for v, err := range PageBeans[int](t.Context(), c, "/list", nil, PageOptions{}) {
		require.NoError(t, err)
		got = append(got, v)
		if v == 12 {
			break
		}
	}
	assert.Len(t, got, 13)
	assert.Equal(t, int32(2), calls.Load(), "no page is fetched after the consumer stops")
}

func TestPaginationPageCap(t *testing.T) {
	t.Parallel()
	h, calls := listServer(1000, 10, "pagebean")
	c := newTestClient(t, handlerTransport{h}, nil)
	got, err := collect(t, PageBeans[int](t.Context(), c, "/list", nil, PageOptions{MaxPages: 3}))
	require.ErrorIs(t, err, jira.ErrPageLimit)
	assert.Len(t, got, 30)
	assert.Equal(t, int32(3), calls.Load())
}

func TestPaginationRepeatedCursor(t *testing.T) {
	t.Parallel()
	s := newScript(reply(200, `{"values":[1],"isLast":false,"nextCursor":"abc"}`))
	c := newTestClient(t, handlerTransport{s}, nil)
	_, err := collect(t, StreamPages[int](t.Context(), c, "/rest/api/2/user/list", nil, PageOptions{}))
	require.ErrorIs(t, err, jira.ErrPageLimit)
	assert.Len(t, s.got(), 2, "stops as soon as the cursor repeats")
}

func TestPaginationError(t *testing.T) {
	t.Parallel()
	s := newScript(reply(200, `{"startAt":0,"maxResults":2,"total":4,"isLast":false,"values":[1,2]}`),
		reply(403, `{"errorMessages":["no permission"]}`))
	c := newTestClient(t, handlerTransport{s}, nil)
	got, err := collect(t, PageBeans[int](t.Context(), c, "/rest/api/2/group/member", nil, PageOptions{}))
	assert.Equal(t, []int{1, 2}, got)
	require.ErrorIs(t, err, jira.ErrForbidden)
	_, ok := errors.AsType[*jira.APIError](err)
	assert.True(t, ok)
	assert.Equal(t, "2", s.got()[1].url.Query().Get("startAt"))
}

func TestWalkCustomState(t *testing.T) {
	t.Parallel()
	// Cloud's POST /search/jql passes nextPageToken in the body; Walk takes any state.
	pages := map[string][]string{"": {"a", "b"}, "t1": {"c"}, "t2": {}}
	next := map[string]string{"": "t1", "t1": "t2"}
	var seen []string
	seq := Walk(t.Context(), 0, "", func(_ context.Context, tok string) ([]string, string, bool, error) {
		seen = append(seen, tok)
		return pages[tok], next[tok], next[tok] != "", nil
	})
	var got []string
	for v, err := range seq {
		require.NoError(t, err)
		got = append(got, v)
	}
	assert.Equal(t, []string{"a", "b", "c"}, got)
	assert.Equal(t, []string{"", "t1", "t2"}, seen)
}

func TestPageInfo(t *testing.T) {
	t.Parallel()
	total := 9
	pb := PageBean[int]{StartAt: 3, MaxResults: 3, Total: &total, Values: []int{1, 2, 3}}
	assert.Equal(t, jira.PageInfo{StartAt: 3, MaxResults: 3, Total: 9, TotalKnown: true}, pb.Info())
	sp := StreamPage[int]{MaxResults: 2, NextCursor: "c"}
	assert.Equal(t, jira.PageInfo{MaxResults: 2, Next: "c"}, sp.Info())
	var ap AdminPage[int]
	assert.Equal(t, jira.PageInfo{IsLast: true}, ap.Info())
}
