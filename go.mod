module github.com/seatwarden/seatwarden

go 1.26

require (
	github.com/expr-lang/expr v1.17.8 // indirect
	github.com/stretchr/testify v1.12.1 // indirect
)
