# Prepares a fresh copy of Debian's Redmine database for the tests (run by RedmineServer through `bin/rails runner`):
# the REST API on, a project `ops`, the issue custom field "Incident" the connector stores its marker in, and a second
# person, alice, who works on the project's issues as a person would. Prints one JSON line the harness reads.
require 'json'

Setting.rest_api_enabled = '1'
Setting.login_required = '1'
# No mail: there is nobody to send it to, and each would be one more writer on the sqlite database.
Setting.notified_events = []

admin = User.find_by_login!('admin')
admin.update!(must_change_passwd: false)

project = Project.find_by_identifier('ops') || Project.create!(
  name: 'Ops', identifier: 'ops', is_public: false,
  tracker_ids: Tracker.pluck(:id), enabled_module_names: %w[issue_tracking])

field = IssueCustomField.find_by_name('Incident') || IssueCustomField.create!(
  name: 'Incident', field_format: 'string', is_for_all: true, is_filter: true, searchable: true,
  visible: true, editable: true, tracker_ids: Tracker.pluck(:id))

alice = User.find_by_login('alice') || User.create!(
  login: 'alice', firstname: 'Alice', lastname: 'Oncall', mail: 'alice@example.com',
  password: 'alice-password-1', password_confirmation: 'alice-password-1', status: User::STATUS_ACTIVE)
# Manager: edits issues and may move them to any status (Redmine's default workflows).
unless Member.exists?(project_id: project.id, user_id: alice.id)
  Member.create!(project: project, principal: alice, role_ids: [Role.find_by_name!('Manager').id])
end

puts 'REDMINE-SETUP ' + JSON.generate(
  admin_key: admin.api_key, alice_key: alice.api_key, incident_field_id: field.id,
  project: project.identifier, project_id: project.id)
