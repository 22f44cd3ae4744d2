package jira

import "net/http"

// Response is the HTTP response to a client call, with what it said about
// rate limits and pagination. Its body has already been read and closed.
// Clients return it even with an error, whenever a response was received.
type Response struct {
	*http.Response

	// Rate is what the response's rate-limit headers said.
	Rate RateInfo
	// Page describes the page, for calls that return one page of a list.
	Page PageInfo
}

// PageInfo describes one page of a paginated list.
type PageInfo struct {
	StartAt    int // offset of the first item (offset-based shapes)
	MaxResults int // page size the server used, which may be lower than asked
	// Total is the number of items in the whole list; valid only when
	// TotalKnown, because cursor-based shapes do not say.
	Total      int
	TotalKnown bool
	IsLast     bool
	// Next is the cursor or token of the next page (cursor-based shapes);
	// empty on the last page.
	Next string
}
