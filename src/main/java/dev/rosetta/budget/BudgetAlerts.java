package dev.rosetta.budget;

import dev.rosetta.auth.Principal;

/**
 * Told of a counter's spend each time a request settles into it: sends the configured alerts
 * ({@code budget_alerts}) off the request path.
 */
public interface BudgetAlerts {

    BudgetAlerts NONE = (p, h, s) -> { };

    /** Called on the event loop that settled the request; must not block. */
    void spent(Principal p, Hold hold, Spend after);
}
