package dev.incidentengine.configdata;

import dev.incidentengine.model.config.TeamConfig;
import dev.incidentengine.schemas.ConfigFields;

/** A team's rules beyond the schema (its references are the loader's: {@link ConfigKinds}). */
final class TeamChecks {

    private TeamChecks() {
    }

    /** @throws dev.incidentengine.schemas.ConfigProblem naming the first field that breaks them */
    static void check(TeamConfig team) {
        ConfigFields.notBlank(team.getMembers(), "members");
        if (team.getWarRoomUrl() != null) {
            ConfigFields.httpUrl(team.getWarRoomUrl(), "warRoomUrl");
        }
    }
}
