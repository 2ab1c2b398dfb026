package bus

import "errors"

// Signature limits from the D-Bus specification.
const (
	maxSignatureLen = 255
	maxArrayDepth   = 32
	maxStructDepth  = 32
	maxTotalDepth   = 64 // arrays, structs, dict entries and variants together
)

var (
	errSigTooLong    = errors.New("signature longer than 255 bytes")
	errSigIncomplete = errors.New("signature ends inside a type")
	errSigArrayDepth = errors.New("signature nests arrays deeper than 32")
	errSigStructDeep = errors.New("signature nests structs deeper than 32")
)

// validSignature checks that s is a sequence of complete types.
func validSignature(s string) error {
	if len(s) > maxSignatureLen {
		return errSigTooLong
	}
	for i := 0; i < len(s); {
		j, err := checkType(s, i, 0, 0)
		if err != nil {
			return err
		}
		i = j
	}
	return nil
}

// validSingleType checks that s is exactly one complete type, as a variant's
// signature must be.
func validSingleType(s string) error {
	if s == "" {
		return errors.New("empty variant signature")
	}
	if len(s) > maxSignatureLen {
		return errSigTooLong
	}
	j, err := checkType(s, 0, 0, 0)
	if err != nil {
		return err
	}
	if j != len(s) {
		return errors.New("variant signature holds more than one type")
	}
	return nil
}

func isBasicType(c byte) bool {
	switch c {
	case 'y', 'b', 'n', 'q', 'i', 'u', 'x', 't', 'd', 'h', 's', 'o', 'g':
		return true
	}
	return false
}

// checkType checks the complete type starting at s[i] and returns the index
// just past it. arrays and structs are the enclosing nesting depths.
func checkType(s string, i, arrays, structs int) (int, error) {
	if i >= len(s) {
		return 0, errSigIncomplete
	}
	switch c := s[i]; {
	case isBasicType(c) || c == 'v':
		return i + 1, nil
	case c == 'a':
		if arrays+1 > maxArrayDepth {
			return 0, errSigArrayDepth
		}
		if i+1 < len(s) && s[i+1] == '{' {
			return checkDictEntry(s, i+1, arrays+1, structs)
		}
		return checkType(s, i+1, arrays+1, structs)
	case c == '(':
		if structs+1 > maxStructDepth {
			return 0, errSigStructDeep
		}
		j := i + 1
		if j < len(s) && s[j] == ')' {
			return 0, errors.New("signature holds an empty struct")
		}
		for j < len(s) && s[j] != ')' {
			var err error
			if j, err = checkType(s, j, arrays, structs+1); err != nil {
				return 0, err
			}
		}
		if j >= len(s) {
			return 0, errSigIncomplete
		}
		return j + 1, nil
	default:
		return 0, errors.New("signature holds an invalid type code " + quoteByte(c))
	}
}

// checkDictEntry checks "{kv}" at s[i], which must be an array's element.
func checkDictEntry(s string, i, arrays, structs int) (int, error) {
	if structs+1 > maxStructDepth {
		return 0, errSigStructDeep
	}
	if i+1 >= len(s) || !isBasicType(s[i+1]) {
		return 0, errors.New("dict entry key is not a basic type")
	}
	j, err := checkType(s, i+2, arrays, structs+1)
	if err != nil {
		return 0, err
	}
	if j >= len(s) || s[j] != '}' {
		return 0, errors.New("dict entry does not hold exactly two types")
	}
	return j + 1, nil
}

// typeEnd returns the index just past the complete type at s[i] of a
// signature already checked by validSignature.
func typeEnd(s string, i int) int {
	switch s[i] {
	case 'a':
		return typeEnd(s, i+1)
	case '(', '{':
		depth := 0
		for j := i; j < len(s); j++ {
			switch s[j] {
			case '(', '{':
				depth++
			case ')', '}':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return len(s)
	}
	return i + 1
}

// alignOf is the wire alignment of type code c.
func alignOf(c byte) int {
	switch c {
	case 'y', 'g', 'v':
		return 1
	case 'n', 'q':
		return 2
	case 'x', 't', 'd', '(', '{':
		return 8
	}
	return 4
}

// fixedSize is the wire size of a fixed-size basic type whose every value is
// valid (so arrays of it can be skipped without looking), or 0.
func fixedSize(c byte) int {
	switch c {
	case 'y':
		return 1
	case 'n', 'q':
		return 2
	case 'i', 'u':
		return 4
	case 'x', 't', 'd':
		return 8
	}
	return 0
}

func quoteByte(c byte) string {
	if c >= 0x20 && c < 0x7f {
		return "'" + string(rune(c)) + "'"
	}
	const hex = "0123456789abcdef"
	return "0x" + string([]byte{hex[c>>4], hex[c&15]})
}
