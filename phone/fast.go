package phone

import (
	"regexp"
	"strconv"
	"sync"

	"github.com/nyaruka/phonenumbers"
)

// The fast path of ValidateRecipient. phonenumbers' Parse, IsValidNumber
// and GetNumberType recompile-or-look-up every pattern behind one global
// mutex and run each pattern twice; on a busy Client that cost more than
// the whole SMPP round trip. The fast path answers the common question —
// is this E.164 (or plain national) number a valid mobile-capable number? —
// from the same metadata with patterns compiled once, and only for a yes:
// every input it cannot accept with certainty goes down the slow path,
// which gives the precise refusal. TestFastPathAgreesWithPhonenumbers
// checks both paths agree.

// regionMeta is one region's metadata with its patterns compiled.
type regionMeta struct {
	md                 *phonenumbers.PhoneMetadata
	leading            *regexp.Regexp // nil when the region has no leading-digits rule
	general            descMatcher
	excluded           []descMatcher // premium, toll free, shared cost, VoIP, personal, pager, UAN, voicemail
	fixed, mobile      descMatcher
	sameMobileAndFixed bool
}

// descMatcher is a PhoneNumberDesc ready to test national numbers against.
type descMatcher struct {
	lengths []int32
	pattern *regexp.Regexp // nil: matches nothing
}

func newDescMatcher(d *phonenumbers.PhoneNumberDesc) descMatcher {
	if d == nil || d.GetNationalNumberPattern() == "" {
		return descMatcher{}
	}
	re, err := regexp.Compile("^(?:" + d.GetNationalNumberPattern() + ")$")
	if err != nil {
		return descMatcher{}
	}
	return descMatcher{lengths: d.PossibleLength, pattern: re}
}

func (d descMatcher) match(nat string) bool {
	if d.pattern == nil {
		return false
	}
	if len(d.lengths) > 0 {
		ok := false
		for _, l := range d.lengths {
			if int32(len(nat)) == l {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return d.pattern.MatchString(nat)
}

var (
	metaOnce   sync.Once
	metaByID   map[string]*phonenumbers.PhoneMetadata
	compiledMu sync.RWMutex
	compiled   = map[string]*regionMeta{}
)

func loadMetadata() {
	metaByID = map[string]*phonenumbers.PhoneMetadata{}
	coll, err := phonenumbers.MetadataCollection()
	if err != nil || coll == nil {
		return // the fast path declines everything; the slow path still works
	}
	for _, md := range coll.Metadata {
		// Every non-geographic calling code (+800, +870, +881, …) has the
		// id "001": keyed by id they would overwrite one another, and one
		// code's patterns would judge another's numbers. They are left to
		// the slow path.
		if md.GetId() == phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY {
			continue
		}
		metaByID[md.GetId()] = md
	}
}

// regionFor returns the compiled metadata of a region, or nil.
func regionFor(region string) *regionMeta {
	compiledMu.RLock()
	rm, ok := compiled[region]
	compiledMu.RUnlock()
	if ok {
		return rm
	}
	metaOnce.Do(loadMetadata)
	md := metaByID[region]
	if md != nil {
		rm = &regionMeta{
			md:                 md,
			general:            newDescMatcher(md.GetGeneralDesc()),
			fixed:              newDescMatcher(md.GetFixedLine()),
			mobile:             newDescMatcher(md.GetMobile()),
			sameMobileAndFixed: md.GetSameMobileAndFixedLinePattern(),
		}
		for _, d := range []*phonenumbers.PhoneNumberDesc{md.GetPremiumRate(), md.GetTollFree(), md.GetSharedCost(),
			md.GetVoip(), md.GetPersonalNumber(), md.GetPager(), md.GetUan(), md.GetVoicemail()} {
			rm.excluded = append(rm.excluded, newDescMatcher(d))
		}
		if ld := md.GetLeadingDigits(); ld != "" {
			rm.leading, _ = regexp.Compile("^(?:" + ld + ")")
		}
	}
	compiledMu.Lock()
	compiled[region] = rm
	compiledMu.Unlock()
	return rm
}

// numberType mirrors phonenumbers' type decision for a national
// significant number in one region.
func (rm *regionMeta) numberType(nat string) phonenumbers.PhoneNumberType {
	if !rm.general.match(nat) {
		return phonenumbers.UNKNOWN
	}
	for _, d := range rm.excluded {
		if d.match(nat) {
			return phonenumbers.PREMIUM_RATE // any non-mobile type: the fast path declines
		}
	}
	if rm.fixed.match(nat) {
		if rm.sameMobileAndFixed || rm.mobile.match(nat) {
			return phonenumbers.FIXED_LINE_OR_MOBILE
		}
		return phonenumbers.FIXED_LINE
	}
	if !rm.sameMobileAndFixed && rm.mobile.match(nat) {
		return phonenumbers.MOBILE
	}
	return phonenumbers.UNKNOWN
}

// fastMobile returns the E.164 form of a mobile-capable number given as
// digits — international (after the '+') when intl, else national in
// region — or "" when it cannot say yes with certainty.
func fastMobile(digits string, intl bool, region string) string {
	if len(digits) < 4 || len(digits) > 17 {
		return ""
	}
	var cc, nat string
	var regions []string
	if intl {
		if digits[0] == '0' {
			return "" // no calling code starts with 0: Atoi would read "046" as 46
		}
		for l := 1; l <= 3 && l < len(digits); l++ {
			code, _ := strconv.Atoi(digits[:l])
			if rs := phonenumbers.GetRegionCodesForCountryCode(code); len(rs) > 0 {
				cc, nat, regions = digits[:l], digits[l:], rs
				break
			}
		}
	} else {
		rm := regionFor(region)
		if rm == nil {
			return ""
		}
		// Only the plain rule "strip the national prefix" is mirrored; any
		// other parsing rule goes to the slow path.
		np := rm.md.GetNationalPrefix()
		npfp := rm.md.GetNationalPrefixForParsing()
		if np == "" || (npfp != "" && npfp != np) || rm.md.GetNationalPrefixTransformRule() != "" || !isDigits(np) {
			return ""
		}
		if len(digits) <= len(np) || digits[:len(np)] != np {
			return ""
		}
		code := int(rm.md.GetCountryCode())
		cc, nat, regions = strconv.Itoa(code), digits[len(np):], phonenumbers.GetRegionCodesForCountryCode(code)
	}
	if nat == "" || nat[0] == '0' || len(cc)+len(nat) > 15 || len(cc)+len(nat) < 8 {
		return "" // leading zeros and odd lengths: leave them to the slow path
	}
	var rm *regionMeta
	if len(regions) == 1 {
		rm = regionFor(regions[0])
	} else {
		for _, r := range regions {
			c := regionFor(r)
			if c == nil {
				continue
			}
			if c.leading != nil {
				if c.leading.MatchString(nat) {
					rm = c
					break
				}
			} else if c.numberType(nat) != phonenumbers.UNKNOWN {
				rm = c
				break
			}
		}
	}
	if rm == nil || !mobileCapable(rm.numberType(nat)) {
		return ""
	}
	return "+" + cc + nat
}

// digitsOf returns the digits of an input that passed screenNumber, and
// whether it was international.
func digitsOf(s string) (string, bool) {
	b := make([]byte, 0, len(s))
	intl := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			b = append(b, c)
		case c == '+':
			intl = true
		}
	}
	return string(b), intl
}
