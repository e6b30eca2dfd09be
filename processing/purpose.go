package processing

// Purpose is why traffic data is processed and read. The privacy policy
// allows exactly three; every read of traffic data (advox.Client's Status,
// Records, …) states one and refuses others, and the record of processing
// lists them. advox.Purpose is the same type.
type Purpose string

// The purposes traffic data may be processed for.
const (
	// PurposeTransmit: sending the message and tracking its delivery.
	PurposeTransmit Purpose = "transmit"
	// PurposeTroubleshoot: support investigating a customer's traffic.
	PurposeTroubleshoot Purpose = "troubleshoot"
	// PurposeBill: invoicing and bookkeeping.
	PurposeBill Purpose = "bill"
)

// Valid reports whether p is one of the allowed purposes.
func (p Purpose) Valid() bool {
	switch p {
	case PurposeTransmit, PurposeTroubleshoot, PurposeBill:
		return true
	}
	return false
}
