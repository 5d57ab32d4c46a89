package http

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/weirhq/weir"
)

// DefaultExperienceDomain is the domain below which each application's
// experience has a host of its own unless Server.ExperienceDomain says
// otherwise: http://{applicationId}.localhost:8080/ serves the experience
// at the root, as Losant serves each at the root of its own domain, and
// browsers resolve every *.localhost name to the loopback address.
const DefaultExperienceDomain = "localhost"

// experienceHost marks a request that arrived on an application's
// experience host; its value is the application's id.
type experienceHost struct{}

// ExperienceURL returns the root URL of the application's experience on
// its own host, for a server reached at addr ("127.0.0.1:8080") with
// experience domain domain: "http://{id}.{domain}:{port}/". An
// application's endpointSlug in place of its id gives its other host.
func ExperienceURL(applicationID, domain, addr string) string {
	host := strings.ToLower(applicationID) + "." + domain
	if _, port, err := net.SplitHostPort(addr); err == nil && port != "" {
		host = net.JoinHostPort(host, port)
	}
	return (&url.URL{Scheme: "http", Host: host, Path: "/"}).String()
}

// experienceHostLabel returns the label before the experience domain when
// r's host is below it ("6b16….localhost:8080" gives "6b16…"), and whether
// it is; a host of more than one label below the domain gives "" and true.
func (s *Server) experienceHostLabel(r *http.Request) (string, bool) {
	domain := strings.Trim(strings.ToLower(s.ExperienceDomain), ".")
	if domain == "" {
		return "", false
	}
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	label, ok := strings.CutSuffix(host, "."+domain)
	if !ok {
		return "", false
	}
	if label == "" || strings.Contains(label, ".") {
		return "", true
	}
	return label, true
}

// serveExperienceHost answers every request on an experience host
// ({label}.{ExperienceDomain}, the label an application's id or its
// endpointSlug): the application's files at /files/{applicationId}/{path}
// and its experience endpoints at every other path from the root. Nothing
// else is served there: not the API, the console, webhooks nor another
// application's files or pages. A label that names no application answers
// exactly as a path no endpoint serves.
func (s *Server) serveExperienceHost(w http.ResponseWriter, r *http.Request, label string) {
	appID, err := s.hostApplicationID(r.Context(), label)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	r = r.WithContext(context.WithValue(r.Context(), experienceHost{}, appID))
	r.SetPathValue("applicationId", appID)
	filePrefix := FilesPath + appID + "/"
	if rest, ok := strings.CutPrefix(r.URL.Path, filePrefix); ok {
		r.SetPathValue("path", rest)
		s.handleFileRequest(w, r)
		return
	}
	r.SetPathValue("path", strings.TrimPrefix(r.URL.Path, "/"))
	s.handleEndpointRequest(w, r)
}

// hostApplicationID returns the id of the application an experience host's
// label names: the label itself when it has the shape of an id (slugs never
// have it), else the application whose endpointSlug it is. A label that
// names no application is errNoEndpoint, as a path no endpoint serves.
func (s *Server) hostApplicationID(ctx context.Context, label string) (string, error) {
	if weir.ValidID(label) {
		return label, nil
	}
	if label == "" || weir.ValidateEndpointSlug(label) != nil {
		return "", errNoEndpoint()
	}
	a, err := s.Applications.FindApplicationBySlug(ctx, label)
	if weir.ErrorTypeOf(err) == weir.NotFound {
		return "", errNoEndpoint()
	} else if err != nil {
		return "", err
	}
	return a.ID, nil
}

// hostApplication returns the id of the application whose experience host
// r arrived on, or "".
func hostApplication(r *http.Request) string {
	id, _ := r.Context().Value(experienceHost{}).(string)
	return id
}

// ValidExperienceDomain checks an experience domain: "" (none), or DNS
// labels of letters, digits and hyphens joined by dots, without scheme,
// port or path ("localhost", "apps.example.com").
func ValidExperienceDomain(domain string) error {
	if domain == "" {
		return nil
	}
	if len(domain) > 200 {
		return weir.Errorf(weir.Validation, "%q is longer than 200 characters", domain)
	}
	for _, label := range strings.Split(domain, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return weir.Errorf(weir.Validation, "%q is not a domain name such as localhost or apps.example.com", domain)
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return weir.Errorf(weir.Validation, "%q is not a domain name such as localhost or apps.example.com", domain)
			}
		}
	}
	return nil
}
