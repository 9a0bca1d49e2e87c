package dev.incidentengine.ticketing.servicenow;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import dev.incidentengine.testkit.TestClock;
import dev.incidentengine.ticketing.ContractServer;

/**
 * ServiceNow's Table API for the {@code incident} and {@code sys_journal_field} tables, as documented
 * (https://www.servicenow.com/docs/r/api-reference/rest-apis/c_TableAPI.html): {@code {"result": …}} envelopes, encoded
 * queries ({@code ^}, {@code ^NQ}, {@code =}, {@code !=}, {@code >}, {@code >=}, {@code <}, {@code <=}, {@code IN},
 * {@code ISNOTEMPTY}, {@code ORDERBY}, {@code ORDERBYDESC}), {@code sysparm_fields} with dot-walked references,
 * {@code sysparm_limit}/{@code sysparm_offset}, reference fields as {@code {"link","value"}}, and errors as
 * {@code {"error":{"message","detail"},"status":"failure"}}: 401 without credentials, 403 for a data policy (close code and
 * notes mandatory when resolving or closing, https://www.servicenow.com/docs/r/it-service-management/incident-management/resolve-and-close-an-incident.html)
 * or an ACL (a closed incident's state, an unreadable journal), 404 for no record, and 429 with Retry-After when a rate
 * limit rule fires (https://www.servicenow.com/docs/r/api-reference/rest-api-explorer/inbound-REST-API-rate-limiting.html).
 * The incident's business rules that stamp resolved/closed/reopened times and users run on every state change.
 */
public final class ServiceNowServer extends ContractServer {

    public static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private static final Set<String> REFERENCES = Set.of("assignment_group", "caller_id", "parent_incident", "resolved_by",
            "closed_by", "reopened_by", "opened_by");
    private static final Set<String> JOURNALS = Set.of("comments", "work_notes");
    /** Field names are lower case, operators upper case or symbols: the shortest field before an operator. */
    private static final Pattern TERM = Pattern.compile("([a-z0-9_.]+?)(ISNOTEMPTY|ISEMPTY|IN|!=|>=|<=|>|<|=)(.*)", Pattern.DOTALL);

    public record User(String sysId, String userName, String name) {
    }

    private final TestClock clock;
    private final Map<String, String> passwords = new HashMap<>();
    private final Map<String, String> tokens = new HashMap<>();
    private final Map<String, Instant> tokenExpiry = new HashMap<>();
    private final Map<String, String[]> clients = new HashMap<>();
    private int tokensIssued;
    private final Map<String, User> users = new LinkedHashMap<>();
    private final List<Map<String, String>> incidents = new ArrayList<>();
    private final List<Map<String, String>> journal = new ArrayList<>();
    private int nextNumber = 10001;
    private volatile boolean journalReadable = true;

    public ServiceNowServer(TestClock clock) {
        this.clock = clock;
    }

    public synchronized User user(String userName, String name, String password) {
        User user = new User(sysId(), userName, name);
        users.put(userName, user);
        if (password != null) {
            passwords.put(userName, password);
        }
        return user;
    }

    public synchronized void token(String token, String userName) {
        tokens.put(token, userName);
    }

    /** An OAuth client allowed the client credentials grant, acting as the user. */
    public synchronized void client(String clientId, String secret, String userName) {
        clients.put(clientId, new String[] {secret, userName});
    }

    public synchronized int tokensIssued() {
        return tokensIssued;
    }

    /** Tokens revoked by an administrator: the next request with one is answered 401. */
    public synchronized void revokeTokens() {
        tokenExpiry.replaceAll((token, expiry) -> Instant.EPOCH);
    }

    public void journalReadable(boolean readable) {
        journalReadable = readable;
    }

    public synchronized List<Map<String, String>> incidents() {
        return incidents.stream().map(Map::copyOf).toList();
    }

    public synchronized Map<String, String> incident(String number) {
        return incidents.stream().filter(i -> i.get("number").equals(number)).findFirst().map(Map::copyOf).orElseThrow();
    }

    /** The journal entries of an incident's field, oldest first, as {@code author: text}. */
    public synchronized List<String> journal(String number, String element) {
        String sysId = incident(number).get("sys_id");
        return journal.stream().filter(e -> e.get("element_id").equals(sysId) && e.get("element").equals(element))
                .map(e -> e.get("sys_created_by") + ": " + e.get("value")).toList();
    }

    /** A person changes an incident in the UI: the same business rules as through the API. */
    public synchronized void update(String userName, String number, Map<String, String> fields) {
        Map<String, String> incident = incidents.stream().filter(i -> i.get("number").equals(number)).findFirst().orElseThrow();
        apply(incident, fields, users.get(userName), false);
    }

    @Override
    protected synchronized Answer handle(Request request) {
        if (request.path().equals("/oauth_token.do")) {
            return token(request);
        }
        User user = authenticate(request.header("Authorization"));
        if (user == null) {
            return error(401, "User Not Authenticated", "Required to provide Auth information");
        }
        String[] path = request.path().split("/");
        if (path.length < 5 || !request.path().startsWith("/api/now/table/")) {
            return error(400, "Requested URI does not represent any resource", null);
        }
        String table = path[4];
        String sysId = path.length > 5 ? path[5] : null;
        List<Map<String, String>> records = switch (table) {
            case "incident" -> incidents;
            case "sys_journal_field" -> journal;
            default -> null;
        };
        if (records == null) {
            return error(400, "Invalid table " + table, null);
        }
        if (table.equals("sys_journal_field") && !journalReadable) {
            return error(403, "User Not Authorized", "ACL restricts the record retrieval");
        }
        return switch (request.method()) {
            case "GET" -> sysId == null ? list(records, request.query()) : one(records, sysId, request.query());
            case "POST" -> table.equals("incident") && sysId == null ? create(request, user)
                    : error(405, "Method not Supported", "POST method not supported for API");
            case "PATCH" -> table.equals("incident") && sysId != null ? patch(sysId, request, user)
                    : error(405, "Method not Supported", "PATCH method not supported for API");
            default -> error(405, "Method not Supported", request.method() + " method not supported for API");
        };
    }

    private User authenticate(String authorization) {
        if (authorization == null) {
            return null;
        }
        if (authorization.startsWith("Bearer ")) {
            String token = authorization.substring(7);
            Instant expiry = tokenExpiry.get(token);
            return expiry != null && !clock.instant().isBefore(expiry) ? null : users.get(tokens.get(token));
        }
        if (authorization.startsWith("Basic ")) {
            String[] userPassword = new String(Base64.getDecoder().decode(authorization.substring(6)), StandardCharsets.UTF_8)
                    .split(":", 2);
            return userPassword.length == 2 && userPassword[1].equals(passwords.get(userPassword[0])) ? users.get(userPassword[0]) : null;
        }
        return null;
    }

    /**
     * The OAuth token endpoint, client credentials grant: a form in, {@code access_token} and {@code expires_in} (1800 s, the
     * default lifespan) out; a wrong client is 401 (https://www.servicenow.com/docs/r/platform-security/authentication/client-credentials.html).
     */
    private Answer token(Request request) {
        Map<String, String> form = new HashMap<>();
        for (String pair : request.body().split("&")) {
            String[] nameValue = pair.split("=", 2);
            form.put(URLDecoder.decode(nameValue[0], StandardCharsets.UTF_8),
                    nameValue.length == 2 ? URLDecoder.decode(nameValue[1], StandardCharsets.UTF_8) : "");
        }
        String[] client = clients.get(form.get("client_id"));
        if (!"client_credentials".equals(form.get("grant_type")) || client == null || !client[0].equals(form.get("client_secret"))) {
            return Answer.json(401, Map.of("error_description", "access_denied", "error", "server_error"));
        }
        String token = "snow-token-" + ++tokensIssued;
        tokens.put(token, client[1]);
        tokenExpiry.put(token, clock.instant().plusSeconds(1800));
        return Answer.json(200, Map.of("access_token", token, "scope", "useraccount", "token_type", "Bearer", "expires_in", 1799));
    }

    private Answer list(List<Map<String, String>> records, Map<String, String> query) {
        List<Map<String, String>> found = new ArrayList<>(records.stream().filter(matcher(query.getOrDefault("sysparm_query", ""))).toList());
        found.sort(order(query.getOrDefault("sysparm_query", "")));
        int offset = Integer.parseInt(query.getOrDefault("sysparm_offset", "0"));
        int limit = Integer.parseInt(query.getOrDefault("sysparm_limit", "10000"));
        List<Map<String, Object>> result = found.stream().skip(offset).limit(limit).map(record -> project(record, query)).toList();
        return Answer.json(200, Map.of("result", result)).header("X-Total-Count", String.valueOf(found.size()));
    }

    private Answer one(List<Map<String, String>> records, String sysId, Map<String, String> query) {
        return records.stream().filter(r -> r.get("sys_id").equals(sysId)).findFirst()
                .map(record -> Answer.json(200, Map.of("result", project(record, query))))
                .orElseGet(() -> error(404, "No Record found", "Record doesn't exist or ACL restricts the record retrieval"));
    }

    private Answer create(Request request, User user) {
        String now = now();
        Map<String, String> incident = new LinkedHashMap<>();
        incident.put("sys_id", sysId());
        incident.put("number", String.format("INC%07d", nextNumber++));
        incident.put("state", "1");
        incident.put("impact", "3");
        incident.put("urgency", "3");
        incident.put("sys_created_on", now);
        incident.put("sys_created_by", user.userName());
        incident.put("opened_by", user.sysId());
        incident.put("sys_mod_count", "-1");
        Map<String, String> fields = fields(request.json());
        Optional<Answer> refused = apply(incident, fields, user, true);
        if (refused.isPresent()) {
            return refused.get();
        }
        incidents.add(incident);
        return Answer.json(201, Map.of("result", project(incident, request.query())))
                .header("Location", baseUrl() + "/api/now/table/incident/" + incident.get("sys_id"));
    }

    private Answer patch(String sysId, Request request, User user) {
        Optional<Map<String, String>> incident = incidents.stream().filter(i -> i.get("sys_id").equals(sysId)).findFirst();
        if (incident.isEmpty()) {
            return error(404, "No Record found", "Record doesn't exist or ACL restricts the record retrieval");
        }
        return apply(incident.get(), fields(request.json()), user, true)
                .orElseGet(() -> Answer.json(200, Map.of("result", project(incident.get(), request.query()))));
    }

    /** Checks the policies, then writes the fields, the journal entries and what the business rules stamp. */
    private Optional<Answer> apply(Map<String, String> incident, Map<String, String> fields, User user, boolean checked) {
        String before = incident.get("state");
        String after = fields.getOrDefault("state", before);
        if (checked && "7".equals(before) && !after.equals(before)) {
            return Optional.of(error(403, "Operation Failed", "ACL Exception Update Failed due to security constraints"));
        }
        if (checked && (after.equals("6") || after.equals("7")) && !after.equals(before)
                && (fields.getOrDefault("close_code", incident.getOrDefault("close_code", "")).isEmpty()
                || fields.getOrDefault("close_notes", incident.getOrDefault("close_notes", "")).isEmpty())) {
            return Optional.of(error(403, "Operation Failed",
                    "Data Policy Exception: \n\tThe following fields are mandatory: Resolution code, Resolution notes\n"));
        }
        String now = now();
        fields.forEach((field, value) -> {
            if (JOURNALS.contains(field)) {
                if (!value.isEmpty()) {
                    journal.add(new LinkedHashMap<>(Map.of("sys_id", sysId(), "element_id", incident.get("sys_id"), "element", field,
                            "name", "incident", "value", value, "sys_created_on", now, "sys_created_by", user.userName())));
                }
            } else {
                incident.put(field, value);
            }
        });
        if (!after.equals(before)) {
            switch (after) {
                case "6" -> stamp(incident, "resolved_at", "resolved_by", now, user);
                case "7" -> stamp(incident, "closed_at", "closed_by", now, user);
                default -> {
                    if ("6".equals(before) || "7".equals(before)) {
                        stamp(incident, "reopened_time", "reopened_by", now, user);
                        incident.merge("reopen_count", "1", (a, b) -> String.valueOf(Integer.parseInt(a) + 1));
                    }
                }
            }
        }
        incident.put("sys_updated_on", now);
        incident.put("sys_updated_by", user.userName());
        incident.merge("sys_mod_count", "0", (a, b) -> String.valueOf(Integer.parseInt(a) + 1));
        return Optional.empty();
    }

    private static void stamp(Map<String, String> incident, String at, String by, String now, User user) {
        incident.put(at, now);
        incident.put(by, user.sysId());
    }

    private static Map<String, String> fields(JsonNode body) {
        Map<String, String> fields = new LinkedHashMap<>();
        body.fields().forEachRemaining(field -> fields.put(field.getKey(), field.getValue().asText()));
        return fields;
    }

    /** The record as the Table API shows it: every field or those asked, references as link and value unless excluded. */
    private Map<String, Object> project(Map<String, String> record, Map<String, String> query) {
        boolean links = !"true".equals(query.get("sysparm_exclude_reference_link"));
        List<String> asked = query.containsKey("sysparm_fields") ? List.of(query.get("sysparm_fields").split(","))
                : List.copyOf(record.keySet());
        Map<String, Object> shown = new LinkedHashMap<>();
        for (String field : asked) {
            int dot = field.indexOf('.');
            if (dot > 0) {
                String reference = record.getOrDefault(field.substring(0, dot), "");
                User user = users.values().stream().filter(u -> u.sysId().equals(reference)).findFirst().orElse(null);
                String attribute = field.substring(dot + 1);
                shown.put(field, user == null ? "" : attribute.equals("user_name") ? user.userName() : attribute.equals("name") ? user.name() : "");
            } else if (links && REFERENCES.contains(field) && !record.getOrDefault(field, "").isEmpty()) {
                shown.put(field, Map.of("link", baseUrl() + "/api/now/table/sys_user/" + record.get(field), "value", record.get(field)));
            } else {
                shown.put(field, record.getOrDefault(field, ""));
            }
        }
        return shown;
    }

    /** An encoded query: OR of {@code ^NQ} groups, each an AND of {@code ^} terms; ORDERBY terms are left to {@link #order}. */
    private static Predicate<Map<String, String>> matcher(String query) {
        Predicate<Map<String, String>> any = record -> false;
        for (String group : query.split("\\^NQ")) {
            Predicate<Map<String, String>> all = record -> true;
            for (String term : group.split("\\^")) {
                if (!term.isEmpty() && !term.startsWith("ORDERBY")) {
                    all = all.and(term(term));
                }
            }
            any = any.or(all);
        }
        return any;
    }

    private static Predicate<Map<String, String>> term(String term) {
        Matcher parts = TERM.matcher(term);
        if (parts.matches()) {
            String field = parts.group(1);
            String operator = parts.group(2);
            String value = parts.group(3);
            return record -> {
                String actual = record.getOrDefault(field, "");
                return switch (operator) {
                    case "ISNOTEMPTY" -> !actual.isEmpty();
                    case "ISEMPTY" -> actual.isEmpty();
                    case "IN" -> List.of(value.split(",")).contains(actual);
                    case "!=" -> !actual.equals(value);
                    case ">=" -> compare(actual, value) >= 0;
                    case "<=" -> compare(actual, value) <= 0;
                    case ">" -> compare(actual, value) > 0;
                    case "<" -> compare(actual, value) < 0;
                    default -> actual.equals(value);
                };
            };
        }
        throw new IllegalArgumentException("unsupported term " + term);
    }

    private static int compare(String a, String b) {
        if (a.matches("-?\\d{1,18}") && b.matches("-?\\d{1,18}")) {
            return Long.compare(Long.parseLong(a), Long.parseLong(b));
        }
        return a.compareTo(b);
    }

    private static Comparator<Map<String, String>> order(String query) {
        Comparator<Map<String, String>> order = (a, b) -> 0;
        for (String term : query.split("\\^")) {
            if (term.startsWith("ORDERBYDESC")) {
                String field = term.substring("ORDERBYDESC".length());
                order = order.thenComparing((a, b) -> compare(b.getOrDefault(field, ""), a.getOrDefault(field, "")));
            } else if (term.startsWith("ORDERBY")) {
                String field = term.substring("ORDERBY".length());
                order = order.thenComparing((a, b) -> compare(a.getOrDefault(field, ""), b.getOrDefault(field, "")));
            }
        }
        return order;
    }

    private String now() {
        return TIME.format(LocalDateTime.ofInstant(clock.instant(), ZoneOffset.UTC));
    }

    private static String sysId() {
        return UUID.randomUUID().toString().replace("-", "");
    }

    private static Answer error(int status, String message, String detail) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("message", message);
        error.put("detail", detail);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", error);
        body.put("status", "failure");
        return Answer.json(status, body);
    }
}
