"""The GA4 dimensions and metrics the emulator serves, as getMetadata lists them."""

# apiName -> (uiName, category, description)
DIMENSIONS = {
    "date": ("Date", "Time", "The date of the event, formatted as YYYYMMDD."),
    "dateHour": ("Date + hour (YYYYMMDDHH)", "Time", "The combined values of date and hour."),
    "yearMonth": ("Year month", "Time", "The combined values of year and month, YYYYMM."),
    "hour": ("Hour", "Time", "The two-digit hour of the day, 00 to 23."),
    "dayOfWeek": ("Day of week", "Time", "The integer day of the week, 0 (Sunday) to 6."),
    "pagePath": (
        "Page path",
        "Page / screen",
        "The portion of the URL between the hostname and query string.",
    ),
    "pagePathPlusQueryString": (
        "Page path + query string",
        "Page / screen",
        "The portion of the URL following the hostname.",
    ),
    "pageTitle": ("Page title", "Page / screen", "The web page titles used on your site."),
    "hostName": ("Hostname", "Page / screen", "The subdomain and domain names of a URL."),
    "country": ("Country", "Geography", "The country from which the user activity originated."),
    "countryId": ("Country ID", "Geography", "The ISO 3166-1 alpha-2 country code."),
    "sessionSource": ("Session source", "Traffic source", "The source that initiated a session."),
    "sessionMedium": ("Session medium", "Traffic source", "The medium that initiated a session."),
    "sessionSourceMedium": (
        "Session source / medium",
        "Traffic source",
        "The combined values of sessionSource and sessionMedium.",
    ),
    "sessionDefaultChannelGroup": (
        "Session default channel group",
        "Traffic source",
        "The session's default channel group.",
    ),
    "deviceCategory": (
        "Device category",
        "Platform / device",
        "The type of device: desktop, tablet, or mobile.",
    ),
    "eventName": ("Event name", "Event", "The name of the event."),
    "unifiedScreenName": (
        "Page title and screen name",
        "Page / screen",
        "The page title (web) or screen name (app) on which an event was logged.",
    ),
}
# apiName -> (uiName, type, category, description)
METRICS = {
    "screenPageViews": (
        "Views",
        "TYPE_INTEGER",
        "Page / screen",
        "The number of app screens or web pages your users viewed.",
    ),
    "totalUsers": (
        "Total users",
        "TYPE_INTEGER",
        "User",
        "The number of distinct users who logged at least one event.",
    ),
    "activeUsers": (
        "Active users",
        "TYPE_INTEGER",
        "User",
        "The number of distinct users who visited your site or app.",
    ),
    "newUsers": (
        "New users",
        "TYPE_INTEGER",
        "User",
        "The number of users who interacted with your site for the first time.",
    ),
    "sessions": (
        "Sessions",
        "TYPE_INTEGER",
        "Session",
        "The number of sessions that began on your site.",
    ),
    "engagedSessions": (
        "Engaged sessions",
        "TYPE_INTEGER",
        "Session",
        "The number of sessions that lasted 10 seconds or longer, or had 2 or more page views.",
    ),
    "screenPageViewsPerSession": (
        "Views per session",
        "TYPE_FLOAT",
        "Page / screen",
        "The number of views per session.",
    ),
    "averageSessionDuration": (
        "Average session duration",
        "TYPE_SECONDS",
        "Session",
        "The average duration (in seconds) of users' sessions.",
    ),
    "userEngagementDuration": (
        "User engagement",
        "TYPE_SECONDS",
        "User",
        "The total amount of time (in seconds) your site was in the foreground.",
    ),
    "engagementRate": (
        "Engagement rate",
        "TYPE_FLOAT",
        "Session",
        "The percentage of engaged sessions (engagedSessions / sessions).",
    ),
    "keyEvents": (
        "Key events",
        "TYPE_INTEGER",
        "Event",
        "The count of key events. Marking an event as a key event affects reports from time "
        "of creation.",
    ),
    "bounceRate": (
        "Bounce rate",
        "TYPE_FLOAT",
        "Session",
        "The percentage of sessions that were not engaged.",
    ),
}
