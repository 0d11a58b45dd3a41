"""Annual report rules by concern: ``templates`` (the template as data and its validation), ``filing`` (who files,
the workflow and its scope), ``prefill`` (the platform's registered figures), ``deadlines`` (rounds, reminders and
the overdue credit records), ``summary`` (aggregation, exports, the filing-status board)."""
