package accounts

// The roles of a customer's contact persons (storage.Contact.Role): the
// privacy policy keeps the names of people entitled to use the service or
// to get support, and nothing else about them. The set is closed, so that
// the field never becomes free text that invites personal data ("privat
// mobil …", "född …").
const (
	// ContactRoleService: entitled to use the service.
	ContactRoleService = "service"
	// ContactRoleSupport: entitled to get support.
	ContactRoleSupport = "support"
)

// contactRoles are the roles a contact person may have.
var contactRoles = []string{ContactRoleService, ContactRoleSupport}
