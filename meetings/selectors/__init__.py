"""All reads of the meeting domain that views, consumers and services share."""
