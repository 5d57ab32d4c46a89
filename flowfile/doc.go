// Package flowfile reads and writes the files Losant exports workflows in: a
// single flow object (REST or the editor's export), a bulk import body
// ({flows, flowVersions}) and the application-template envelope
// (resourceType/resources, in YAML or JSON). Parse turns any of them into
// weir flows and flow versions; Remap gives them new ids for an import;
// Export writes flows back as a template envelope.
package flowfile
