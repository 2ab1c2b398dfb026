//go:build linux

package main

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// An xmlrpcClient calls supervisord's XML-RPC interface over its unix
// socket, as supervisorctl does.
type xmlrpcClient struct {
	http *http.Client
}

func newXMLRPC(sock string) *xmlrpcClient {
	tr := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", sock)
		},
		MaxIdleConnsPerHost: 4,
	}
	return &xmlrpcClient{http: &http.Client{Transport: tr}}
}

func (c *xmlrpcClient) close() { c.http.CloseIdleConnections() }

// call invokes method with string, int and bool arguments and returns the
// decoded result: string, int, bool, float64, []any or map[string]any.
func (c *xmlrpcClient) call(ctx context.Context, timeout time.Duration, method string, args ...any) (any, error) {
	var body bytes.Buffer
	body.WriteString(`<?xml version="1.0"?><methodCall><methodName>`)
	xml.EscapeText(&body, []byte(method))
	body.WriteString(`</methodName><params>`)
	for _, a := range args {
		body.WriteString(`<param><value>`)
		switch v := a.(type) {
		case string:
			body.WriteString(`<string>`)
			xml.EscapeText(&body, []byte(v))
			body.WriteString(`</string>`)
		case int:
			fmt.Fprintf(&body, `<int>%d</int>`, v)
		case bool:
			b := 0
			if v {
				b = 1
			}
			fmt.Fprintf(&body, `<boolean>%d</boolean>`, b)
		default:
			return nil, fmt.Errorf("xml-rpc %s: argument of type %T", method, a)
		}
		body.WriteString(`</value></param>`)
	}
	body.WriteString(`</params></methodCall>`)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "POST", "http://localhost/RPC2", &body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "text/xml")
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("xml-rpc %s: %v", method, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("xml-rpc %s: read reply: %v", method, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("xml-rpc %s: HTTP %s", method, resp.Status)
	}
	return decodeResponse(method, b)
}

// xnode is any XML element, for the small walk over a methodResponse.
type xnode struct {
	XMLName xml.Name
	Text    string  `xml:",chardata"`
	Kids    []xnode `xml:",any"`
}

func (n *xnode) kid(name string) *xnode {
	for i := range n.Kids {
		if n.Kids[i].XMLName.Local == name {
			return &n.Kids[i]
		}
	}
	return nil
}

func decodeResponse(method string, b []byte) (any, error) {
	var root xnode
	if err := xml.Unmarshal(b, &root); err != nil {
		return nil, fmt.Errorf("xml-rpc %s: bad reply: %v", method, err)
	}
	if f := root.kid("fault"); f != nil {
		v, _ := decodeValue(f.kid("value"))
		m, _ := v.(map[string]any)
		return nil, fmt.Errorf("xml-rpc %s: fault %v: %v", method, m["faultCode"], m["faultString"])
	}
	p := root.kid("params")
	if p == nil || p.kid("param") == nil {
		return nil, fmt.Errorf("xml-rpc %s: reply without params", method)
	}
	return decodeValue(p.kid("param").kid("value"))
}

func decodeValue(v *xnode) (any, error) {
	if v == nil {
		return nil, fmt.Errorf("missing value")
	}
	if len(v.Kids) == 0 {
		return v.Text, nil // a bare value is a string
	}
	t := &v.Kids[0]
	switch t.XMLName.Local {
	case "string":
		return t.Text, nil
	case "int", "i4":
		return strconv.Atoi(strings.TrimSpace(t.Text))
	case "boolean":
		return strings.TrimSpace(t.Text) == "1", nil
	case "double":
		return strconv.ParseFloat(strings.TrimSpace(t.Text), 64)
	case "array":
		var out []any
		if d := t.kid("data"); d != nil {
			for i := range d.Kids {
				x, err := decodeValue(&d.Kids[i])
				if err != nil {
					return nil, err
				}
				out = append(out, x)
			}
		}
		return out, nil
	case "struct":
		out := map[string]any{}
		for i := range t.Kids {
			m := &t.Kids[i]
			name := m.kid("name")
			if name == nil {
				continue
			}
			x, err := decodeValue(m.kid("value"))
			if err != nil {
				return nil, err
			}
			out[name.Text] = x
		}
		return out, nil
	}
	return t.Text, nil
}
