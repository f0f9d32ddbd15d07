package io.tagstream.notifier.adapters;

import io.tagstream.common.events.Audit;
import io.tagstream.common.events.AuditRecord;
import io.tagstream.common.events.CloudEvent;
import io.tagstream.common.service.AuditLog;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** This service's audit records; a failed delivery is audited under its Alert. */
@ApplicationScoped
public class Publisher {

    public static final String SERVICE = "notifier";
    public static final Audit AUDIT = new Audit(SERVICE);

    @Inject
    AuditLog audit;

    public void audit(CloudEvent<AuditRecord> record) {
        audit.write(record);
    }
}
