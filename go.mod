module github.com/seatwarden/seatwarden

go 1.26
