// Generated from VetQL's schema.graphql by GraphQL Code Generator: do not edit; run scripts/generate-clients.sh.
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
export type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
export type MakeOptional<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]?: Maybe<T[SubKey]> };
export type MakeMaybe<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]: Maybe<T[SubKey]> };
export type MakeEmpty<T extends { [key: string]: unknown }, K extends keyof T> = { [_ in K]?: never };
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** Date (isoformat) */
  Date: { input: string; output: string; }
  /** Date with time (isoformat) */
  DateTime: { input: string; output: string; }
  /** Decimal (fixed-point) */
  Decimal: { input: string; output: string; }
  /** The `JSON` scalar type represents JSON values as specified by [ECMA-404](https://ecma-international.org/wp-content/uploads/ECMA-404_2nd_edition_december_2017.pdf). */
  JSON: { input: unknown; output: unknown; }
  /** Time (isoformat) */
  Time: { input: string; output: string; }
};

/** Accepting an invitation: the code is the credential, no token needed. */
export type AcceptInvitationInput = {
  /** The clinic's id, as in the invitation. */
  clinicSlug: Scalars['String']['input'];
  /** The code from the invitation. */
  code: Scalars['String']['input'];
  /** Your name as the clinic will show it (a client keeps the name the clinic registered). */
  fullName: Scalars['String']['input'];
};

/** Result of `acceptInvitation`. */
export type AcceptInvitationPayload = {
  __typename?: 'AcceptInvitationPayload';
  /** Your new profile (the `sub` your tokens for this clinic carry). */
  profileId: Maybe<Scalars['ID']['output']>;
  /** Your role in the clinic. */
  role: Maybe<Role>;
  /** What to fix. */
  userErrors: Array<StaffUserError>;
};

/** A line to add to a draft. */
export type AddInvoiceLineInput = {
  /** The draft invoice. */
  invoiceId: Scalars['ID']['input'];
  /** The line. */
  line: InvoiceLineInput;
};

/** A correction or addition to a note. */
export type AddMedicalRecordAddendumInput = {
  /** 1-10,000 characters. */
  body: Scalars['String']['input'];
  /** The note. */
  recordId: Scalars['ID']['input'];
};

/** A new problem-list entry: a coded diagnosis, a free name, or both. */
export type AddPatientProblemInput = {
  /** A code from `diagnosisCodes`; one active entry per pet and code. */
  diagnosisCodeId?: InputMaybe<Scalars['ID']['input']>;
  /** ICD code, if used. */
  icdCode?: InputMaybe<Scalars['String']['input']>;
  /** A long-term condition. */
  isChronic?: Scalars['Boolean']['input'];
  /** Notes, at most 4000 characters. */
  notes?: InputMaybe<Scalars['String']['input']>;
  /** When it began; not in the future. */
  onsetDate?: InputMaybe<Scalars['Date']['input']>;
  /** The patient. */
  petId: Scalars['ID']['input'];
  /** Name of the condition, 1-200 characters; default: the code's term. */
  problemName?: InputMaybe<Scalars['String']['input']>;
  /** Clinical severity. */
  severity?: InputMaybe<ProblemSeverity>;
};

/** An alarm raised or cleared, as streamed by `anesthesiaAlarms`. */
export type AlarmEvent = {
  __typename?: 'AlarmEvent';
  /** The alarm, in its state when the event was read. */
  alarm: AnesthesiaAlarm;
  /** Global ID of the anesthesia log. */
  anesthesiaLogId: Scalars['ID']['output'];
  /** Opaque position of this transition: pass as `anesthesiaAlarms(after:)` to resume right after it. */
  cursor: Scalars['String']['output'];
  /** True for the alarms already active when the subscription began (sent first, as RAISED); false for transitions that happened while subscribed. */
  isCurrentState: Scalars['Boolean']['output'];
  /** When the reading that caused it was taken. */
  occurredAt: Scalars['DateTime']['output'];
  /** Position in the log's alarm stream (1, 2, 3, ...), in commit order. For a current-state event, the number of the alarm's RAISED transition. */
  sequence: Scalars['Int']['output'];
  /** RAISED or CLEARED. */
  transition: AlarmTransition;
};

/** What an alarm is about. Graded kinds of one parameter replace each other. */
export type AlarmKind =
  | 'BRADYCARDIA'
  | 'HYPERCAPNIA'
  | 'HYPOTENSION'
  | 'HYPOXEMIA'
  | 'MILD_HYPOTHERMIA'
  | 'MODERATE_HYPOTHERMIA'
  | 'SEVERE_HYPERCAPNIA'
  | 'SEVERE_HYPOTENSION'
  | 'SEVERE_HYPOTHERMIA'
  | 'SEVERE_HYPOXEMIA'
  | 'TACHYCARDIA'
  | 'TOO_DEEP';

/** How urgent an alarm is. */
export type AlarmSeverity =
  | 'CRITICAL'
  | 'WARNING';

/** An alarm starting or ending. */
export type AlarmTransition =
  | 'CLEARED'
  | 'RAISED';

/** How loudly an alert should be shown: INFO, WARNING or DANGER. */
export type AlertSeverity =
  | 'DANGER'
  | 'INFO'
  | 'WARNING';

/** What kind of warning a patient alert carries. */
export type AlertType =
  | 'AGGRESSIVE'
  | 'ALLERGY'
  | 'CUSTOM'
  | 'FEARFUL'
  | 'FINANCIAL'
  | 'HANDLING'
  | 'MEDICAL'
  | 'VIP';

/** An episode of a vital sign out of its safe range: raised by one reading, cleared by another. */
export type AnesthesiaAlarm = Node & {
  __typename?: 'AnesthesiaAlarm';
  /** When a reading back in range was taken; null while open. */
  clearedAt: Maybe<Scalars['DateTime']['output']>;
  /** Opaque global ID. Stable; pass it to `node(id:)` or to arguments that take this type's ID. */
  id: Scalars['ID']['output'];
  /** True until cleared. */
  isActive: Scalars['Boolean']['output'];
  /** What is out of range. */
  kind: AlarmKind;
  /** What the reading was against which limit, e.g. 'SpO2 88% (< 90)'. */
  message: Scalars['String']['output'];
  /** When the reading that raised it was taken. */
  raisedAt: Scalars['DateTime']['output'];
  /** WARNING or CRITICAL. */
  severity: AlarmSeverity;
  /** The limit it crossed. */
  threshold: Maybe<Scalars['Float']['output']>;
  /** The value that raised it. */
  value: Maybe<Scalars['Float']['output']>;
};

/** Depth of anesthesia as judged by the anesthetist. */
export type AnesthesiaDepth =
  | 'DEEP'
  | 'LIGHT'
  | 'SURGICAL'
  | 'TOO_DEEP';

/** Why an anesthesia mutation refused some input. */
export type AnesthesiaErrorCode =
  | 'ALREADY_COMPLETED'
  | 'EMPTY'
  | 'FUTURE_READING'
  | 'INVALID'
  | 'LOG_CLOSED'
  | 'NOT_FOUND'
  | 'OUT_OF_RANGE'
  | 'PET_DECEASED'
  | 'PHASE_ALREADY_RECORDED'
  | 'PHASE_OUT_OF_ORDER'
  | 'TOO_MANY_READINGS';

/** The anesthesia record of one procedure: protocol, phases, outcome and vitals. */
export type AnesthesiaLog = Node & {
  __typename?: 'AnesthesiaLog';
  /** Alarms of this procedure, open and cleared, in the order they were raised. Staff only. */
  alarms: Array<AnesthesiaAlarm>;
  /** Position of the log's newest alarm transition: `anesthesiaAlarms(anesthesiaLogId:, after:)` with it streams every transition after what `alarms` shows when both are read in one query. */
  alarmsCursor: Scalars['String']['output'];
  /** Premedication, induction and maintenance agents. */
  anesthesiaProtocol: Maybe<Scalars['String']['output']>;
  /** When the record was closed; null while open. */
  completedAt: Maybe<Scalars['DateTime']['output']>;
  /** Complications, if any. */
  complications: Maybe<Scalars['String']['output']>;
  /** When the record was opened. */
  createdAt: Scalars['DateTime']['output'];
  /** Extubation. */
  extubationTime: Maybe<Scalars['DateTime']['output']>;
  /** Full recovery. */
  fullRecoveryTime: Maybe<Scalars['DateTime']['output']>;
  /** Opaque global ID. Stable; pass it to `node(id:)` or to arguments that take this type's ID. */
  id: Scalars['ID']['output'];
  /** Induction of anesthesia. */
  inductionTime: Maybe<Scalars['DateTime']['output']>;
  /** Start of maintenance. */
  maintenanceStart: Maybe<Scalars['DateTime']['output']>;
  /** Clinical notes. */
  notes: Maybe<Scalars['String']['output']>;
  /** How it ended; null while still open. */
  outcome: Maybe<AnesthesiaOutcome>;
  /** The patient. */
  pet: Maybe<Pet>;
  /** ASA status and pre-op findings. */
  preAnesthesiaAssessment: Maybe<Scalars['JSON']['output']>;
  /** The procedure performed, e.g. 'Ovariohisterectomía'. */
  procedureName: Scalars['String']['output'];
  /** Start of recovery. */
  recoveryStart: Maybe<Scalars['DateTime']['output']>;
  /** Vital signs in commit order (`sequence`), the order `vitalsRecorded` delivers them: a monitor's late upload comes after what was already stored, so paging by cursor never skips one. `last: 10` gives the latest ten; `since` keeps only readings taken at or after that instant. `pageInfo.endCursor` resumes `vitalsRecorded(after:)` exactly where the page ends. */
  vitals: VitalSignConnection;
};


/** The anesthesia record of one procedure: protocol, phases, outcome and vitals. */
export type AnesthesiaLogAlarmsArgs = {
  activeOnly?: Scalars['Boolean']['input'];
};


/** The anesthesia record of one procedure: protocol, phases, outcome and vitals. */
export type AnesthesiaLogVitalsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
  since?: InputMaybe<Scalars['DateTime']['input']>;
};

/** A page of a list. Page with `first`/`after` forwards, `last`/`before` backwards. */
export type AnesthesiaLogConnection = {
  __typename?: 'AnesthesiaLogConnection';
  /** The items of this page, each with its cursor. */
  edges: Array<AnesthesiaLogEdge>;
  /** The items of this page, without cursors. */
  nodes: Array<AnesthesiaLog>;
  /** Cursors and whether more pages exist. */
  pageInfo: PageInfo;
  /** Items in the whole list, all pages together, as visible to the caller. */
  totalCount: Scalars['Int']['output'];
};

/** An item of a list with its cursor. */
export type AnesthesiaLogEdge = {
  __typename?: 'AnesthesiaLogEdge';
  /** Opaque position of this item; pass as `after` or `before`. */
  cursor: Scalars['String']['output'];
  /** The item. */
  node: AnesthesiaLog;
};

/** Result of a mutation on an anesthesia log. */
export type AnesthesiaLogPayload = {
  __typename?: 'AnesthesiaLogPayload';
  /** The log after the change; null on error. */
  anesthesiaLog: Maybe<AnesthesiaLog>;
  /** What to fix; empty on success. */
  userErrors: Array<AnesthesiaUserError>;
};

/** How an anesthetic episode ended. */
export type AnesthesiaOutcome =
  | 'COMPLICATED'
  | 'CRITICAL'
  | 'NORMAL';

/** Phases of anesthesia, in the order they happen. */
export type AnesthesiaPhase =
  | 'EXTUBATION'
  | 'FULL_RECOVERY'
  | 'INDUCTION'
  | 'MAINTENANCE'
  | 'RECOVERY';

/** Something in the input a user can fix. */
export type AnesthesiaUserError = {
  __typename?: 'AnesthesiaUserError';
  /** Stable code to branch on. */
  code: AnesthesiaErrorCode;
  /** Path of the offending input, e.g. `vitals.3.spo2`. */
  field: Maybe<Scalars['String']['output']>;
  /** Human-readable explanation. */
  message: Scalars['String']['output'];
};

/** A booked visit of a pet, and how it went through check-in to completion. */
export type Appointment = Node & {
  __typename?: 'Appointment';
  /** When the patient arrived. */
  checkedInAt: Maybe<Scalars['DateTime']['output']>;
  /** Who checked the patient in (staff), once checked in. */
  checkedInBy: Maybe<Profile>;
  /** When it ended. */
  completedAt: Maybe<Scalars['DateTime']['output']>;
  /** Booked as an emergency: by staff, outside business hours or off the slot grid. Set by the booking rule (and again when rescheduled), never by the client. */
  emergency: Scalars['Boolean']['output'];
  /** Booked end. */
  endTime: Scalars['DateTime']['output'];
  /** Opaque global ID. Stable; pass it to `node(id:)` or to arguments that take this type's ID. */
  id: Scalars['ID']['output'];
  /** The patient. */
  pet: Maybe<Pet>;
  /** Reason for the visit. */
  reason: Maybe<Scalars['String']['output']>;
  /** ID of the recurring series this visit belongs to, if any (see `createRecurringAppointments`). */
  recurrenceId: Maybe<Scalars['ID']['output']>;
  /** The room it takes place in, if assigned. Staff only. */
  room: Maybe<ExamRoom>;
  /** Booked start. */
  startTime: Scalars['DateTime']['output'];
  /** When the consultation began. */
  startedAt: Maybe<Scalars['DateTime']['output']>;
  /** Where the visit is in its flow. */
  status: AppointmentStatus;
  /** The attending vet, if assigned. */
  vet: Maybe<Profile>;
  /** Minutes from start to completion. */
  visitDurationMinutes: Maybe<Scalars['Int']['output']>;
  /** Minutes from check-in to start. */
  waitTimeMinutes: Maybe<Scalars['Int']['output']>;
};

/** One appointment to act on. */
export type AppointmentActionInput = {
  /** The appointment. */
  appointmentId: Scalars['ID']['input'];
};

/** A page of a list. Page with `first`/`after` forwards, `last`/`before` backwards. */
export type AppointmentConnection = {
  __typename?: 'AppointmentConnection';
  /** The items of this page, each with its cursor. */
  edges: Array<AppointmentEdge>;
  /** The items of this page, without cursors. */
  nodes: Array<Appointment>;
  /** Cursors and whether more pages exist. */
  pageInfo: PageInfo;
  /** Items in the whole list, all pages together, as visible to the caller. */
  totalCount: Scalars['Int']['output'];
};

/** An item of a list with its cursor. */
export type AppointmentEdge = {
  __typename?: 'AppointmentEdge';
  /** Opaque position of this item; pass as `after` or `before`. */
  cursor: Scalars['String']['output'];
  /** The item. */
  node: Appointment;
};

/** Narrows the schedule. All given conditions must hold. */
export type AppointmentFilter = {
  /** Only this pet's appointments. */
  petId?: InputMaybe<Scalars['ID']['input']>;
  /** Only appointments in this room. */
  roomId?: InputMaybe<Scalars['ID']['input']>;
  /** Starting before this instant. */
  startsBefore?: InputMaybe<Scalars['DateTime']['input']>;
  /** Starting at or after this instant. */
  startsFrom?: InputMaybe<Scalars['DateTime']['input']>;
  /** Any of these statuses. */
  status?: InputMaybe<Array<AppointmentStatus>>;
};

/** Result of a mutation on one appointment. */
export type AppointmentPayload = {
  __typename?: 'AppointmentPayload';
  /** The appointment after the change; null on error. */
  appointment: Maybe<Appointment>;
  /** What to fix; empty on success. */
  userErrors: Array<SchedulingUserError>;
};

/** A recurring series of appointments. Staff only. */
export type AppointmentRecurrence = Node & {
  __typename?: 'AppointmentRecurrence';
  /** 1-31, for monthly and yearly patterns. */
  dayOfMonth: Maybe<Scalars['Int']['output']>;
  /** 0 = Sunday .. 6 = Saturday, for weekly patterns. */
  dayOfWeek: Maybe<Scalars['Int']['output']>;
  /** Length of each visit. */
  durationMinutes: Scalars['Int']['output'];
  /** Last possible day, if any. */
  endsOn: Maybe<Scalars['Date']['output']>;
  /** Opaque ID; appointments of the series carry it as recurrenceId. */
  id: Scalars['ID']['output'];
  /** False once the series is over or cancelled. */
  isActive: Scalars['Boolean']['output'];
  /** Appointments exist up to this day. */
  materializedUntil: Maybe<Scalars['Date']['output']>;
  /** Total dates of the series, if limited. */
  maxOccurrences: Maybe<Scalars['Int']['output']>;
  /** Appointments booked for it so far. */
  occurrencesCreated: Scalars['Int']['output'];
  /** How often. */
  pattern: RecurrencePattern;
  /** First possible day. */
  startsOn: Scalars['Date']['output'];
  /** Local start time in the clinic's time zone. */
  timeOfDay: Scalars['Time']['output'];
};

/** Booking rules. Left-out fields keep their value. */
export type AppointmentSettingsInput = {
  /** Gap between slots, minutes 0-120. */
  bufferTime?: InputMaybe<Scalars['Int']['input']>;
  /** Owners cancel at least this many hours ahead, 0-720. */
  cancellationHours?: InputMaybe<Scalars['Int']['input']>;
  /** How early before its day a visit may be checked in, minutes 0-1440 (default 0). */
  checkInWindowMinutes?: InputMaybe<Scalars['Int']['input']>;
  /** Booking horizon, days 1-730. */
  maxAdvanceDays?: InputMaybe<Scalars['Int']['input']>;
  /** Bookings wait for staff confirmation. */
  requireConfirmation?: InputMaybe<Scalars['Boolean']['input']>;
  /** Slot length, minutes 5-240. */
  slotDuration?: InputMaybe<Scalars['Int']['input']>;
};

/** Where an appointment is in the visit flow. */
export type AppointmentStatus =
  | 'CANCELLED'
  | 'CHECKED_IN'
  | 'COMPLETED'
  | 'CONFIRMED'
  | 'IN_PROGRESS'
  | 'NO_SHOW'
  | 'SCHEDULED';

/** Puts an appointment in a room. */
export type AssignRoomInput = {
  /** The appointment. */
  appointmentId: Scalars['ID']['input'];
  /** The room. */
  roomId: Scalars['ID']['input'];
};

/** What a write did to a record. */
export type AuditAction =
  | 'DELETE'
  | 'INSERT'
  | 'UPDATE';

/** One write to a clinical or financial record, appended in the same transaction. Admins only; never edited. */
export type AuditEvent = Node & {
  __typename?: 'AuditEvent';
  /** What the write did to the record. */
  action: AuditAction;
  /** Who (null: a script without a token). */
  actor: Maybe<Profile>;
  /** The role they acted in: vet, admin, owner. */
  actorRole: Maybe<Scalars['String']['output']>;
  /** Changed fields by column: {"status": {"old": "draft", "new": "sent"}}; an insert has only `new`, a delete only `old`. */
  changes: Scalars['JSON']['output'];
  /** Opaque global ID. Stable; pass it to `node(id:)` or to arguments that take this type's ID. */
  id: Scalars['ID']['output'];
  /** When. */
  occurredAt: Scalars['DateTime']['output'];
  /** The record's global ID. */
  recordId: Scalars['ID']['output'];
  /** The record's GraphQL type, e.g. Invoice. */
  recordType: Maybe<Scalars['String']['output']>;
  /** The table written, e.g. invoices. */
  tableName: Scalars['String']['output'];
};

/** A page of a list. Page with `first`/`after` forwards, `last`/`before` backwards. */
export type AuditEventConnection = {
  __typename?: 'AuditEventConnection';
  /** The items of this page, each with its cursor. */
  edges: Array<AuditEventEdge>;
  /** The items of this page, without cursors. */
  nodes: Array<AuditEvent>;
  /** Cursors and whether more pages exist. */
  pageInfo: PageInfo;
  /** Items in the whole list, all pages together, as visible to the caller. */
  totalCount: Scalars['Int']['output'];
};

/** An item of a list with its cursor. */
export type AuditEventEdge = {
  __typename?: 'AuditEventEdge';
  /** Opaque position of this item; pass as `after` or `before`. */
  cursor: Scalars['String']['output'];
  /** The item. */
  node: AuditEvent;
};

/** Narrows the audit trail; all given conditions hold. */
export type AuditEventFilter = {
  /** Only this action. */
  action?: InputMaybe<AuditAction>;
  /** Only this person's (Profile). */
  actorId?: InputMaybe<Scalars['ID']['input']>;
  /** At or after this instant. */
  from?: InputMaybe<Scalars['DateTime']['input']>;
  /** Only this record's (global ID). */
  recordId?: InputMaybe<Scalars['ID']['input']>;
  /** Only this table's, e.g. payments. */
  tableName?: InputMaybe<Scalars['String']['input']>;
  /** Before this instant. */
  to?: InputMaybe<Scalars['DateTime']['input']>;
};

/** Why a billing mutation refused some input. */
export type BillingErrorCode =
  | 'ALREADY_SUBSCRIBED'
  | 'INVALID'
  | 'INVALID_TRANSITION'
  | 'NOT_FOUND'
  | 'OUT_OF_RANGE'
  | 'PLAN_ID_TAKEN'
  | 'PLAN_RETIRED';

/** Length of a billing period. */
export type BillingInterval =
  | 'MONTHLY'
  | 'YEARLY';

/** Something in the input a user can fix. */
export type BillingUserError = {
  __typename?: 'BillingUserError';
  /** Stable code to branch on. */
  code: BillingErrorCode;
  /** The offending input, e.g. `status`. */
  field: Maybe<Scalars['String']['output']>;
  /** Human-readable explanation. */
  message: Scalars['String']['output'];
};

/** A visit to book. Owners book for their own pets, without vet, service or room. */
export type BookAppointmentInput = {
  /** Length; default: the service's, else the clinic's slot length. */
  durationMinutes?: InputMaybe<Scalars['Int']['input']>;
  /** Staff only: allow booking off the slot grid and outside business hours, as an emergency. The appointment's `emergency` says whether it was one (the rule decides, not this flag). */
  emergency?: Scalars['Boolean']['input'];
  /** Notes, at most 2000 characters. */
  notes?: InputMaybe<Scalars['String']['input']>;
  /** The patient. */
  petId: Scalars['ID']['input'];
  /** Reason for the visit, at most 500 characters. */
  reason?: InputMaybe<Scalars['String']['input']>;
  /** A room to assign. Staff only. */
  roomId?: InputMaybe<Scalars['ID']['input']>;
  /** The service. Staff only. */
  serviceId?: InputMaybe<Scalars['ID']['input']>;
  /** Start, on the clinic's slot grid and within its hours. */
  startTime: Scalars['DateTime']['input'];
  /** The attending vet. Staff only. */
  vetId?: InputMaybe<Scalars['ID']['input']>;
};

/** Cancels an occurrence and every later one of its series. */
export type CancelRecurrenceInput = {
  /** The first occurrence to cancel. */
  fromAppointmentId: Scalars['ID']['input'];
};

/** Result of `cancelRecurrence`. */
export type CancelRecurrencePayload = {
  __typename?: 'CancelRecurrencePayload';
  /** The appointments cancelled, in time order. */
  cancelled: Array<Appointment>;
  /** The series, now ending before it. */
  recurrence: Maybe<AppointmentRecurrence>;
  /** What to fix; empty on success. */
  userErrors: Array<SchedulingUserError>;
};

/** A staff member's new role. */
export type ChangeStaffRoleInput = {
  /** The vet or admin. */
  profileId: Scalars['ID']['input'];
  /** VET or ADMIN. */
  role: StaffRole;
};

/** A veterinary clinic: one tenant of VetQL. */
export type Clinic = Node & {
  __typename?: 'Clinic';
  /** Street address. */
  address: Maybe<Scalars['String']['output']>;
  /** Slot length, buffer, booking horizon and cancellation window, in minutes/days/hours. */
  appointmentSettings: Scalars['JSON']['output'];
  /** Opening spans, Monday first; a day may have several (a split shift); a day not listed is closed. */
  businessHours: Array<DayHours>;
  /** City. */
  city: Maybe<Scalars['String']['output']>;
  /** ISO 4217 currency of its prices, e.g. PYG. */
  currency: Scalars['String']['output'];
  /** Public e-mail address. */
  email: Maybe<Scalars['String']['output']>;
  /** Capabilities switched on. */
  featuresEnabled: Array<ClinicFeature>;
  /** Opaque global ID. Stable; pass it to `node(id:)` or to arguments that take this type's ID. */
  id: Scalars['ID']['output'];
  /** BCP 47 locale, e.g. es-PY. */
  locale: Scalars['String']['output'];
  /** Trading name. */
  name: Scalars['String']['output'];
  /** Which notifications the clinic sends. */
  notificationSettings: Maybe<NotificationSettings>;
  /** Public phone number. */
  phone: Maybe<Scalars['String']['output']>;
  /** The clinic's tenant id, as in tokens' `tenant_id` claim. */
  slug: Scalars['String']['output'];
  /** Pages on social networks. */
  socialLinks: Maybe<SocialLinks>;
  /** The clinic's current subscription (else its latest); null if it never subscribed, and for anyone but the clinic's admins and the platform operator. */
  subscription: Maybe<TenantSubscription>;
  /** Id of the subscription plan it is on. */
  subscriptionTier: Scalars['String']['output'];
  /** IANA time zone the clinic's day is counted in. */
  timezone: Scalars['String']['output'];
  /** Usage per calendar month in the clinic's time zone, months with activity only, oldest first (as `tenantUsage`); null for anyone but the clinic's admins and the platform operator. */
  usage: Maybe<Array<UsagePeriod>>;
  /** Website URL. */
  website: Maybe<Scalars['String']['output']>;
};


/** A veterinary clinic: one tenant of VetQL. */
export type ClinicUsageArgs = {
  from: Scalars['Date']['input'];
  to: Scalars['Date']['input'];
};

/** A capability a clinic can switch on. */
export type ClinicFeature =
  | 'ANESTHESIA'
  | 'API'
  | 'APPOINTMENTS'
  | 'HOSPITALIZATION'
  | 'MEDICAL_RECORDS'
  | 'ONLINE_BOOKING'
  | 'PROMOTIONS'
  | 'REMINDERS';

/** Result of `updateClinic`. */
export type ClinicPayload = {
  __typename?: 'ClinicPayload';
  /** The clinic after the change; null on error. */
  clinic: Maybe<Clinic>;
  /** What to fix; empty on success. */
  userErrors: Array<RecordsUserError>;
};

/** What a person agreed to receive. */
export type CommunicationPreferences = {
  __typename?: 'CommunicationPreferences';
  /** News and promotions. */
  marketing: Scalars['Boolean']['output'];
  /** Appointment and vaccine reminders. */
  reminders: Scalars['Boolean']['output'];
};

/** What a person agrees to receive. Left-out fields keep their value. */
export type CommunicationPreferencesInput = {
  /** News and promotions. */
  marketing?: InputMaybe<Scalars['Boolean']['input']>;
  /** Appointment and vaccine reminders. */
  reminders?: InputMaybe<Scalars['Boolean']['input']>;
};

/** Closes an anesthesia log. Open alarms are cleared. */
export type CompleteAnesthesiaInput = {
  /** The open log. */
  anesthesiaLogId: Scalars['ID']['input'];
  /** Complications, if any. */
  complications?: InputMaybe<Scalars['String']['input']>;
  /** Closing notes. */
  notes?: InputMaybe<Scalars['String']['input']>;
  /** How it ended. */
  outcome: AnesthesiaOutcome;
};

/** How a person prefers to be contacted. */
export type ContactMethod =
  | 'EMAIL'
  | 'PHONE'
  | 'SMS'
  | 'WHATSAPP';

/** A new clinic. Platform only. */
export type CreateClinicInput = {
  /** Name (required), contact, time zone, hours, booking and notification settings, features: as `updateClinic` takes them. */
  details: UpdateClinicInput;
  /** How long the code works (1-720 h). */
  expiresInHours?: InputMaybe<Scalars['Int']['input']>;
  /** Its first admin, invited with a code. */
  firstAdmin: FirstAdminInput;
  /** Its tenant id in tokens, e.g. clinica-san-roque (2-63 of a-z 0-9 - _). */
  slug: Scalars['String']['input'];
  /** Id of its subscription plan. */
  subscriptionTier?: Scalars['String']['input'];
};

/** Result of `createClinic`. */
export type CreateClinicPayload = {
  __typename?: 'CreateClinicPayload';
  /** The first admin's single-use code (shown once; only its hash is kept). */
  adminInvitationCode: Maybe<Scalars['String']['output']>;
  /** The new clinic; null on error. */
  clinic: Maybe<Clinic>;
  /** What to fix. */
  userErrors: Array<StaffUserError>;
};

/** A new exam room. Names are unique in the clinic, ignoring case. */
export type CreateExamRoomInput = {
  /** Appointments it holds at the same time, 1-50. */
  capacity?: Scalars['Int']['input'];
  /** Position on screens, lowest first. */
  displayOrder?: Scalars['Int']['input'];
  /** Equipment, at most 50 items. */
  equipment?: Array<Scalars['String']['input']>;
  /** Name shown on the schedule, 1-100 characters. */
  name: Scalars['String']['input'];
  /** What the room is used for. */
  roomType?: RoomType;
};

/** A new draft invoice for an owner. */
export type CreateInvoiceInput = {
  /** Name to invoice, if not the owner's. */
  clientName?: InputMaybe<Scalars['String']['input']>;
  /** The customer's RUC or document. */
  clientRuc?: InputMaybe<Scalars['String']['input']>;
  /** When payment is due. */
  dueDate?: InputMaybe<Scalars['Date']['input']>;
  /** Lines, at most 200. */
  lines?: Array<InvoiceLineInput>;
  /** Notes printed on the invoice. */
  notes?: InputMaybe<Scalars['String']['input']>;
  /** The customer: a Profile of role owner. */
  ownerId: Scalars['ID']['input'];
  /** The owner's pet it is for. */
  petId?: InputMaybe<Scalars['ID']['input']>;
};

/** A new visit note (SOAP), written by the caller. */
export type CreateMedicalRecordInput = {
  /** The visit; null: walk-in. */
  appointmentId?: InputMaybe<Scalars['ID']['input']>;
  /** A: assessment. */
  assessment?: InputMaybe<Scalars['String']['input']>;
  /** A: a diagnosis code. */
  diagnosisCodeId?: InputMaybe<Scalars['ID']['input']>;
  /** O: per minute. */
  heartRate?: InputMaybe<Scalars['Int']['input']>;
  /** Other notes. */
  notes?: InputMaybe<Scalars['String']['input']>;
  /** O: findings. */
  objective?: InputMaybe<Scalars['String']['input']>;
  /** The patient. */
  petId: Scalars['ID']['input'];
  /** P: plan. */
  plan?: InputMaybe<Scalars['String']['input']>;
  /** A: this pet's problem-list entries assessed (at most 50). */
  problemIds?: Array<Scalars['ID']['input']>;
  /** Kind of record. */
  recordType?: RecordType;
  /** O: per minute. */
  respiratoryRate?: InputMaybe<Scalars['Int']['input']>;
  /** Sign it now: never edited afterwards. */
  sign?: Scalars['Boolean']['input'];
  /** S: history. */
  subjective?: InputMaybe<Scalars['String']['input']>;
  /** O: °C, 20-45. */
  temperatureC?: InputMaybe<Scalars['Float']['input']>;
  /** 1-200 characters. */
  title: Scalars['String']['input'];
  /** Day of the visit (today if null). */
  visitDate?: InputMaybe<Scalars['Date']['input']>;
  /** O: kilograms. */
  weightKg?: InputMaybe<Scalars['Float']['input']>;
};

/** A new client (pet owner) of the caller's clinic. */
export type CreateOwnerInput = {
  /** Street and number. */
  addressLine1?: InputMaybe<Scalars['String']['input']>;
  /** Apartment, floor, reference. */
  addressLine2?: InputMaybe<Scalars['String']['input']>;
  /** City. */
  city?: InputMaybe<Scalars['String']['input']>;
  /** What they agree to receive; both default to true. */
  communicationPreferences?: InputMaybe<CommunicationPreferencesInput>;
  /** ISO 3166-1 alpha-2; default PY. */
  country?: InputMaybe<Scalars['String']['input']>;
  /** Document number, dots and spaces allowed (4.123.456, 80012345-6); unique in the clinic. */
  documentNumber?: InputMaybe<Scalars['String']['input']>;
  /** CI, RUC (for invoices), ... */
  documentType?: InputMaybe<DocumentType>;
  /** E-mail address; unique in the clinic. */
  email?: InputMaybe<Scalars['String']['input']>;
  /** Whom to call in an emergency. */
  emergencyContactName?: InputMaybe<Scalars['String']['input']>;
  /** Their phone, any format. */
  emergencyContactPhone?: InputMaybe<Scalars['String']['input']>;
  /** Name as it should be shown, 1-200 characters. */
  fullName: Scalars['String']['input'];
  /** BCP 47 locale; default es-PY. */
  locale?: InputMaybe<Scalars['String']['input']>;
  /** Phone in any format (0981 123 456, +595 981 123456); stored as E.164. */
  phone?: InputMaybe<Scalars['String']['input']>;
  /** Postal code. */
  postalCode?: InputMaybe<Scalars['String']['input']>;
  /** How they prefer to be reached; default EMAIL. */
  preferredContactMethod?: InputMaybe<ContactMethod>;
  /** Another phone, any format. */
  secondaryPhone?: InputMaybe<Scalars['String']['input']>;
  /** State or department. */
  state?: InputMaybe<Scalars['String']['input']>;
  /** IANA time zone; default America/Asuncion. */
  timezone?: InputMaybe<Scalars['String']['input']>;
};

/** A new warning on a patient. */
export type CreatePatientAlertInput = {
  /** What kind of warning. */
  alertType: AlertType;
  /** When it stops applying; must be in the future. Null: never. */
  expiresAt?: InputMaybe<Scalars['DateTime']['input']>;
  /** Details, at most 4000 characters. */
  message?: InputMaybe<Scalars['String']['input']>;
  /** The patient. */
  petId: Scalars['ID']['input'];
  /** How loud; default WARNING. */
  severity?: AlertSeverity;
  /** Short text for badges, 1-200 characters. */
  title: Scalars['String']['input'];
};

/** A new patient of the caller's clinic. */
export type CreatePetInput = {
  /** Temperament and handling notes. */
  behavioralNotes?: InputMaybe<Scalars['String']['input']>;
  /** Breed. */
  breed?: InputMaybe<Scalars['String']['input']>;
  /** Coat or plumage color. */
  color?: InputMaybe<Scalars['String']['input']>;
  /** Date of birth; not in the future. */
  dateOfBirth?: InputMaybe<Scalars['Date']['input']>;
  /** Spayed or castrated. */
  isNeutered?: Scalars['Boolean']['input'];
  /** Microchip number; unique in the clinic. */
  microchipId?: InputMaybe<Scalars['String']['input']>;
  /** The pet's name, 1-200 characters. */
  name: Scalars['String']['input'];
  /** Its owner: a client of this clinic (a Profile ID). */
  ownerId: Scalars['ID']['input'];
  /** When the owner prefers to come. */
  preferredAppointmentTime?: InputMaybe<PreferredTime>;
  /** A vet or admin of the clinic. */
  primaryVetId?: InputMaybe<Scalars['ID']['input']>;
  /** Sex; default UNKNOWN. */
  sex?: Sex;
  /** Species. */
  species: Species;
  /** Weight in kg (kept in the weight history). */
  weightKg?: InputMaybe<Scalars['Float']['input']>;
};

/** A new product of the catalogue. */
export type CreateProductInput = {
  /** Kind. */
  category?: ProductCategory;
  /** Sold from the start. */
  isActive?: Scalars['Boolean']['input'];
  /** 10, 5 (veterinary medicines) or 0 (exempt). */
  ivaRate?: Scalars['Int']['input'];
  /** 1-200 characters. */
  name: Scalars['String']['input'];
  /** Whole PYG (the currency has no cents). */
  price: Scalars['Decimal']['input'];
  /** Stock code, unique in the clinic ignoring case. */
  sku?: InputMaybe<Scalars['String']['input']>;
};

/** A new discount code. */
export type CreatePromotionInput = {
  /** Only these service or product ids (UUIDs), at most 200. */
  applicableItems?: InputMaybe<Array<Scalars['ID']['input']>>;
  /** Lines it discounts. */
  appliesTo?: PromotionScope;
  /** 3-32 letters, digits, '-' or '_'; unique in the clinic, ignoring case. */
  code: Scalars['String']['input'];
  /** Longer text. */
  description?: InputMaybe<Scalars['String']['input']>;
  /** PERCENTAGE or FIXED. */
  discountType: DiscountType;
  /** Percent (more than 0, at most 100) or whole PYG (> 0). */
  discountValue: Scalars['Decimal']['input'];
  /** Valid until (exclusive). */
  expiresAt?: InputMaybe<Scalars['DateTime']['input']>;
  /** Switched on from the start. */
  isActive?: Scalars['Boolean']['input'];
  /** Cap per invoice, PYG. */
  maximumDiscount?: InputMaybe<Scalars['Decimal']['input']>;
  /** Invoice subtotal needed, PYG. */
  minimumPurchase?: InputMaybe<Scalars['Decimal']['input']>;
  /** 1-200 characters. */
  name: Scalars['String']['input'];
  /** Valid from. */
  startsAt?: InputMaybe<Scalars['DateTime']['input']>;
  /** Total uses; null: unlimited. */
  usageLimit?: InputMaybe<Scalars['Int']['input']>;
  /** Uses per customer; null: unlimited. */
  usagePerCustomer?: InputMaybe<Scalars['Int']['input']>;
};

/** A recurring visit. Dates that do not exist (the 31st in a 30-day month, 29 February in a common year) are skipped and not counted (RFC 5545). */
export type CreateRecurringAppointmentsInput = {
  /** MONTHLY/YEARLY: 1-31; default: that of startsOn. YEARLY uses startsOn's month. */
  dayOfMonth?: InputMaybe<Scalars['Int']['input']>;
  /** WEEKLY/BIWEEKLY: 0 = Sunday .. 6 = Saturday; default: that of startsOn. */
  dayOfWeek?: InputMaybe<Scalars['Int']['input']>;
  /** Length; default: the service's, else the clinic's slot length. */
  durationMinutes?: InputMaybe<Scalars['Int']['input']>;
  /** Last day the series may fall on, inclusive. */
  endsOn?: InputMaybe<Scalars['Date']['input']>;
  /** Materialize appointments up to this many days from today, 1-366. */
  horizonDays?: Scalars['Int']['input'];
  /** How many dates the series has in all, 1-500. */
  maxOccurrences?: InputMaybe<Scalars['Int']['input']>;
  /** How often. */
  pattern: RecurrencePattern;
  /** The patient. */
  petId: Scalars['ID']['input'];
  /** Reason, at most 500 characters. */
  reason?: InputMaybe<Scalars['String']['input']>;
  /** The room, for every occurrence. */
  roomId?: InputMaybe<Scalars['ID']['input']>;
  /** The service. */
  serviceId?: InputMaybe<Scalars['ID']['input']>;
  /** First day the series may fall on (clinic's calendar). */
  startsOn: Scalars['Date']['input'];
  /** Local start time in the clinic's time zone, e.g. `09:30`. */
  timeOfDay: Scalars['Time']['input'];
  /** The attending vet. */
  vetId?: InputMaybe<Scalars['ID']['input']>;
};

/** A new service of the catalogue. */
export type CreateServiceInput = {
  /** Kind. */
  category?: ServiceCategory;
  /** Longer text. */
  description?: InputMaybe<Scalars['String']['input']>;
  /** 1-1440 minutes. */
  durationMinutes?: Scalars['Int']['input'];
  /** Offered from the start. */
  isActive?: Scalars['Boolean']['input'];
  /** 10, 5 or 0 (exempt). */
  ivaRate?: Scalars['Int']['input'];
  /** 1-200 characters. */
  name: Scalars['String']['input'];
  /** Whole PYG (the currency has no cents). */
  price: Scalars['Decimal']['input'];
};

/** A new subscription plan. */
export type CreateSubscriptionPlanInput = {
  /** Plan id, 2-40 of [a-z0-9_-]; cannot change later. */
  code: Scalars['String']['input'];
  /** What the plan offers. */
  description?: InputMaybe<Scalars['String']['input']>;
  /** Feature names, up to 50. */
  features?: Array<Scalars['String']['input']>;
  /** Limits by name (users, sms_per_month, storage_gb, appointments_per_month, active_promotions); null: unlimited. */
  limits?: Scalars['JSON']['input'];
  /** Display name, 1-100 characters. */
  name: Scalars['String']['input'];
  /** Whole PYG per month. */
  priceMonthly?: InputMaybe<Scalars['Decimal']['input']>;
  /** Whole PYG per year. */
  priceYearly?: InputMaybe<Scalars['Decimal']['input']>;
};

/** Subscribes a clinic that has no current subscription to a plan. */
export type CreateTenantSubscriptionInput = {
  /** Period length. */
  interval?: BillingInterval;
  /** An active plan. */
  planCode: Scalars['String']['input'];
  /** TRIALING or ACTIVE. */
  status?: SubscriptionStatus;
  /** The clinic's tenant id. */
  tenantId: Scalars['String']['input'];
};

/** Opening hours of one day, in the clinic's time zone. */
export type DayHours = {
  __typename?: 'DayHours';
  /** Closing time, HH:MM. */
  close: Scalars['String']['output'];
  /** The day. */
  day: Weekday;
  /** Opening time, HH:MM. */
  open: Scalars['String']['output'];
};

/** Opening hours of one day, in the clinic's time zone. */
export type DayHoursInput = {
  /** Closing time, after opening. */
  close: Scalars['Time']['input'];
  /** The day; each at most once. */
  day: Weekday;
  /** Opening time (local, no offset). */
  open: Scalars['Time']['input'];
};

/** Switches an alert off. Doing it twice is harmless. */
export type DeactivatePatientAlertInput = {
  /** The alert. */
  alertId: Scalars['ID']['input'];
};

/** One of the caller's devices. */
export type DeviceInput = {
  /** The device (a UserDevice ID). */
  deviceId: Scalars['ID']['input'];
};

/** Platform of a push-notification device. */
export type DeviceType =
  | 'ANDROID'
  | 'IOS'
  | 'WEB';

/** A coded diagnosis from the shared reference list. */
export type DiagnosisCode = Node & {
  __typename?: 'DiagnosisCode';
  /** The code in its standard, e.g. VN-0012. */
  code: Scalars['String']['output'];
  /** Opaque global ID. Stable; pass it to `node(id:)` or to arguments that take this type's ID. */
  id: Scalars['ID']['output'];
  /** Coding standard: venom, snomed or icd10. */
  standard: Scalars['String']['output'];
  /** Human-readable name of the diagnosis. */
  term: Scalars['String']['output'];
};

/** How the discount is computed. */
export type DiscountType =
  | 'FIXED'
  | 'PERCENTAGE';

/** Kind of identity document a client is registered with. */
export type DocumentType =
  | 'CI'
  | 'OTHER'
  | 'PASSPORT'
  | 'RUC';

/** Changes one occurrence of a series; the others stay as they are. */
export type EditOccurrenceInput = {
  /** The occurrence. */
  appointmentId: Scalars['ID']['input'];
  /** New length; default: unchanged. */
  durationMinutes?: InputMaybe<Scalars['Int']['input']>;
  /** New reason; default: unchanged. */
  reason?: InputMaybe<Scalars['String']['input']>;
  /** New start; default: unchanged. */
  startTime?: InputMaybe<Scalars['DateTime']['input']>;
  /** New vet; default: unchanged. */
  vetId?: InputMaybe<Scalars['ID']['input']>;
};

/** A room of the clinic: exam, surgery, imaging or treatment. */
export type ExamRoom = Node & {
  __typename?: 'ExamRoom';
  /** Appointments it can hold at the same time. */
  capacity: Scalars['Int']['output'];
  /** Position on screens, lowest first. */
  displayOrder: Scalars['Int']['output'];
  /** Equipment in the room. */
  equipment: Array<Scalars['String']['output']>;
  /** Opaque global ID. Stable; pass it to `node(id:)` or to arguments that take this type's ID. */
  id: Scalars['ID']['output'];
  /** False once the room is taken out of use. */
  isActive: Scalars['Boolean']['output'];
  /** Name shown on the schedule. */
  name: Scalars['String']['output'];
  /** What the room is used for. */
  roomType: RoomType;
};

/** Result of a mutation on an exam room. */
export type ExamRoomPayload = {
  __typename?: 'ExamRoomPayload';
  /** The room after the change; null on error. */
  examRoom: Maybe<ExamRoom>;
  /** What to fix; empty on success. */
  userErrors: Array<SchedulingUserError>;
};

/** Who opens the clinic as its first admin. */
export type FirstAdminInput = {
  /** E-mail the invitation code goes to. */
  email: Scalars['String']['input'];
};

/** Why a front-desk mutation refused some input. */
export type FrontDeskErrorCode =
  | 'ARCHIVED'
  | 'DATE_IN_FUTURE'
  | 'DEATH_BEFORE_BIRTH'
  | 'DECEASED'
  | 'DOCUMENT_TAKEN'
  | 'EMAIL_TAKEN'
  | 'INVALID'
  | 'INVALID_DOCUMENT'
  | 'INVALID_EMAIL'
  | 'INVALID_LOCALE'
  | 'INVALID_PHONE'
  | 'INVALID_TIMEZONE'
  | 'MICROCHIP_TAKEN'
  | 'NOT_AN_OWNER'
  | 'NOT_ARCHIVED'
  | 'NOT_FOUND'
  | 'NOT_STAFF'
  | 'OUT_OF_RANGE'
  | 'REQUIRED'
  | 'TOO_LONG';

/** Something in the input a user can fix. */
export type FrontDeskUserError = {
  __typename?: 'FrontDeskUserError';
  /** Stable code to branch on. */
  code: FrontDeskErrorCode;
  /** Path of the offending input, e.g. `documentNumber`. */
  field: Maybe<Scalars['String']['output']>;
  /** Human-readable explanation. */
  message: Scalars['String']['output'];
};

/** Result of `inviteStaff`. */
export type InvitationPayload = {
  __typename?: 'InvitationPayload';
  /** The single-use code to send the invitee (shown once; only its hash is kept). */
  code: Maybe<Scalars['String']['output']>;
  /** The invitation; null on error. */
  invitation: Maybe<StaffInvitation>;
  /** What to fix. */
  userErrors: Array<StaffUserError>;
};

/** A client invited to the owner app, where they see only their own pets. */
export type InviteOwnerInput = {
  /** How long the code works (1-720 h). */
  expiresInHours?: InputMaybe<Scalars['Int']['input']>;
  /** The client (a Profile ID); the code goes to their e-mail. */
  ownerId: Scalars['ID']['input'];
};

/** An invitation to the caller's clinic. */
export type InviteStaffInput = {
  /** E-mail the code goes to; nobody of the clinic may have it yet. */
  email: Scalars['String']['input'];
  /** How long the code works (1-720 h). */
  expiresInHours?: InputMaybe<Scalars['Int']['input']>;
  /** VET or ADMIN. */
  role: StaffRole;
};

/** A customer's invoice. Totals and the IVA breakdown are computed by the database from its lines; issued (SENT) invoices are never edited. An owner sees their own. */
export type Invoice = Node & {
  __typename?: 'Invoice';
  /** Payments less refunds, kept by the database. */
  amountPaid: Scalars['Int']['output'];
  /** total - amountPaid, computed by the database. */
  balanceDue: Scalars['Int']['output'];
  /** The customer (an owner of the clinic). */
  client: Maybe<Profile>;
  /** Name or business name to invoice (the owner's name if null). */
  clientName: Maybe<Scalars['String']['output']>;
  /** The customer's RUC or identity document, for electronic invoicing. */
  clientRuc: Maybe<Scalars['String']['output']>;
  /** The clinic's business name when it was issued. */
  clinicLegalName: Maybe<Scalars['String']['output']>;
  /** The clinic's RUC when it was issued. */
  clinicRuc: Maybe<Scalars['String']['output']>;
  /** When the draft was made. */
  createdAt: Scalars['DateTime']['output'];
  /** Currency of every amount: PYG (whole guaraníes). */
  currency: Scalars['String']['output'];
  /** Line discounts and the promotion together. */
  discountTotal: Scalars['Int']['output'];
  /** When payment is due. */
  dueDate: Maybe<Scalars['Date']['output']>;
  /** Amount of the exempt lines, after discounts. */
  exemptAmount: Scalars['Int']['output'];
  /** Opaque global ID. Stable; pass it to `node(id:)` or to arguments that take this type's ID. */
  id: Scalars['ID']['output'];
  /** Establishment-point-number, e.g. 001-001-0000042; null on a draft. */
  invoiceNumber: Maybe<Scalars['String']['output']>;
  /** The clinic's day it was issued; null on a draft. */
  issueDate: Maybe<Scalars['Date']['output']>;
  /** When it was issued. */
  issuedAt: Maybe<Scalars['DateTime']['output']>;
  /** IVA liquidated at 5 %: 1/21 of the 5 % amount (5 % of it when prices exclude IVA), rounded once. */
  iva5: Scalars['Int']['output'];
  /** IVA liquidated at 10 %: 1/11 of the 10 % amount (10 % of it when prices exclude IVA), rounded once. */
  iva10: Scalars['Int']['output'];
  /** Lines, in the order entered. */
  lines: Array<InvoiceLine>;
  /** Notes printed on the invoice. */
  notes: Maybe<Scalars['String']['output']>;
  /** Payments received, oldest first. */
  payments: Array<Payment>;
  /** The patient it is for, if any. */
  pet: Maybe<Pet>;
  /** Its prices include IVA (the clinic's setting when it was made). */
  pricesIncludeIva: Scalars['Boolean']['output'];
  /** DRAFT, SENT (issued), PARTIAL, PAID, OVERDUE or VOID. */
  status: InvoiceStatus;
  /** Sum of round(quantity x unit price) of the lines, before discounts. */
  subtotal: Scalars['Int']['output'];
  /** All IVA: iva5 + iva10. */
  taxTotal: Scalars['Int']['output'];
  /** IVA-included amount of the lines at 5 %, after discounts, whole PYG (the invoice's column). */
  taxed5Amount: Scalars['Int']['output'];
  /** IVA-included amount of the lines at 10 %, after discounts, whole PYG (the invoice's column). */
  taxed10Amount: Scalars['Int']['output'];
  /** The clinic's timbrado (tax stamp) number when it was issued. */
  timbrado: Maybe<Scalars['String']['output']>;
  /** What the customer owes in all: exempt + 5 % + 10 % amounts. */
  total: Scalars['Int']['output'];
  /** When it was voided. */
  voidedAt: Maybe<Scalars['DateTime']['output']>;
};

/** A page of a list. Page with `first`/`after` forwards, `last`/`before` backwards. */
export type InvoiceConnection = {
  __typename?: 'InvoiceConnection';
  /** The items of this page, each with its cursor. */
  edges: Array<InvoiceEdge>;
  /** The items of this page, without cursors. */
  nodes: Array<Invoice>;
  /** Cursors and whether more pages exist. */
  pageInfo: PageInfo;
  /** Items in the whole list, all pages together, as visible to the caller. */
  totalCount: Scalars['Int']['output'];
};

/** An item of a list with its cursor. */
export type InvoiceEdge = {
  __typename?: 'InvoiceEdge';
  /** Opaque position of this item; pass as `after` or `before`. */
  cursor: Scalars['String']['output'];
  /** The item. */
  node: Invoice;
};

/** Narrows the invoice list; all given conditions hold. */
export type InvoiceFilter = {
  /** Issued on or after this day. */
  from?: InputMaybe<Scalars['Date']['input']>;
  /** Only this customer's. */
  ownerId?: InputMaybe<Scalars['ID']['input']>;
  /** Only this status. */
  status?: InputMaybe<InvoiceStatus>;
  /** Issued on or before this day. */
  to?: InputMaybe<Scalars['Date']['input']>;
};

/** One line of an invoice: what, how many, at what price, its discount and IVA rate. */
export type InvoiceLine = Node & {
  __typename?: 'InvoiceLine';
  /** round(quantity x unit price) less both discounts, whole PYG. */
  amount: Scalars['Int']['output'];
  /** When the line was added. */
  createdAt: Scalars['DateTime']['output'];
  /** Text printed on the invoice (the catalogue's name unless given). */
  description: Scalars['String']['output'];
  /** Opaque global ID. Stable; pass it to `node(id:)` or to arguments that take this type's ID. */
  id: Scalars['ID']['output'];
  /** IVA rate in percent: 10, 5 or 0 (exempt). */
  ivaRate: Scalars['Int']['output'];
  /** A service or a product. */
  kind: LineKind;
  /** Discount given on this line, whole PYG. */
  lineDiscount: Scalars['Int']['output'];
  /** The catalogue's product, for a product line. */
  product: Maybe<Product>;
  /** This line's share of the invoice's promotion, whole PYG. */
  promotionDiscount: Scalars['Int']['output'];
  /** How many (up to two decimals). */
  quantity: Scalars['Decimal']['output'];
  /** The catalogue's service, for a service line. */
  service: Maybe<Service>;
  /** Price of one, whole PYG. */
  unitPrice: Scalars['Int']['output'];
};

/** A line from the catalogue: a service or a product, how many, price and discount. */
export type InvoiceLineInput = {
  /** Text on the invoice; the item's name. */
  description?: InputMaybe<Scalars['String']['input']>;
  /** Whole PYG off this line. */
  lineDiscount?: Scalars['Decimal']['input'];
  /** A product (or give serviceId). */
  productId?: InputMaybe<Scalars['ID']['input']>;
  /** More than 0, up to two decimals. */
  quantity?: Scalars['Decimal']['input'];
  /** A service (or give productId). */
  serviceId?: InputMaybe<Scalars['ID']['input']>;
  /** Whole PYG; the catalogue's if null. */
  unitPrice?: InputMaybe<Scalars['Decimal']['input']>;
};

/** Result of the invoice mutations. */
export type InvoicePayload = {
  __typename?: 'InvoicePayload';
  /** The invoice after the change. */
  invoice: Maybe<Invoice>;
  /** The line added, if one was. */
  line: Maybe<InvoiceLine>;
  /** What to fix; when not empty, nothing changed. */
  userErrors: Array<TillUserError>;
};

/** How the clinic invoices: IVA in its prices, its RUC, timbrado and numbering. */
export type InvoiceSettings = {
  __typename?: 'InvoiceSettings';
  /** Establishment code, 3 digits (001). */
  establishment: Scalars['String']['output'];
  /** Business name on invoices. */
  legalName: Maybe<Scalars['String']['output']>;
  /** Point of sale code, 3 digits (001). */
  pointOfSale: Scalars['String']['output'];
  /** Catalogue prices include IVA (usual in Paraguay). */
  pricesIncludeIva: Scalars['Boolean']['output'];
  /** The clinic's RUC, e.g. 80012345-6. */
  ruc: Maybe<Scalars['String']['output']>;
  /** Timbrado number (8 digits). */
  timbrado: Maybe<Scalars['String']['output']>;
  /** Last day the timbrado is valid. */
  timbradoValidUntil: Maybe<Scalars['Date']['output']>;
};

/** Result of `updateInvoiceSettings`. */
export type InvoiceSettingsPayload = {
  __typename?: 'InvoiceSettingsPayload';
  /** The settings now. */
  settings: Maybe<InvoiceSettings>;
  /** What to fix; when not empty, nothing changed. */
  userErrors: Array<TillUserError>;
};

/** Where an invoice stands. SENT is issued: numbered and never edited again. */
export type InvoiceStatus =
  | 'DRAFT'
  | 'OVERDUE'
  | 'PAID'
  | 'PARTIAL'
  | 'SENT'
  | 'VOID';

/** An invoice's amounts after a promotion was applied or the invoice was voided. */
export type InvoiceTotals = {
  __typename?: 'InvoiceTotals';
  /** All discounts, PYG. */
  discountTotal: Scalars['Decimal']['output'];
  /** Global ID of the invoice. */
  invoiceId: Scalars['ID']['output'];
  /** draft, sent, partial, paid, overdue or void. */
  status: Scalars['String']['output'];
  /** Sum of the lines, PYG. */
  subtotal: Scalars['Decimal']['output'];
  /** What the customer owes, PYG. */
  total: Scalars['Decimal']['output'];
};

/** The draft to issue. */
export type IssueInvoiceInput = {
  /** When payment is due (kept if null). */
  dueDate?: InputMaybe<Scalars['Date']['input']>;
  /** The draft invoice. */
  invoiceId: Scalars['ID']['input'];
};

/** What an invoice line sells. */
export type LineKind =
  | 'PRODUCT'
  | 'SERVICE';

/** A patient's death. */
export type MarkPetDeceasedInput = {
  /** Cause of death, at most 4000 characters. */
  cause?: InputMaybe<Scalars['String']['input']>;
  /** Date of death: not in the future, not before birth. */
  deceasedOn: Scalars['Date']['input'];
  /** The pet. */
  petId: Scalars['ID']['input'];
};

/** Marks a problem as chronic, or not. */
export type MarkProblemChronicInput = {
  /** True: chronic; false: not. */
  isChronic?: Scalars['Boolean']['input'];
  /** The entry. */
  problemId: Scalars['ID']['input'];
};

/** A visit note in the SOAP shape, by a vet; once signed it is never edited. Staff only. */
export type MedicalRecord = Node & {
  __typename?: 'MedicalRecord';
  /** Corrections and additions, oldest first. */
  addenda: Array<MedicalRecordAddendum>;
  /** The appointment; null for a walk-in. */
  appointment: Maybe<Appointment>;
  /** A: the vet's assessment. */
  assessment: Maybe<Scalars['String']['output']>;
  /** When it was written. */
  createdAt: Scalars['DateTime']['output'];
  /** A: coded diagnosis. */
  diagnosisCode: Maybe<DiagnosisCode>;
  /** O: heart rate per minute. */
  heartRate: Maybe<Scalars['Int']['output']>;
  /** Opaque global ID. Stable; pass it to `node(id:)` or to arguments that take this type's ID. */
  id: Scalars['ID']['output'];
  /** Signed: never edited again; corrections are addenda. */
  isSigned: Scalars['Boolean']['output'];
  /** Other notes. */
  notes: Maybe<Scalars['String']['output']>;
  /** O: examination findings. */
  objective: Maybe<Scalars['String']['output']>;
  /** The patient. */
  pet: Maybe<Pet>;
  /** P: treatment, tests, follow-up. */
  plan: Maybe<Scalars['String']['output']>;
  /** A: the problem-list entries assessed (PatientProblem). */
  problemIds: Array<Scalars['ID']['output']>;
  /** Kind of record. */
  recordType: RecordType;
  /** O: breaths per minute. */
  respiratoryRate: Maybe<Scalars['Int']['output']>;
  /** When it was signed. */
  signedAt: Maybe<Scalars['DateTime']['output']>;
  /** Who signed it. */
  signedBy: Maybe<Profile>;
  /** S: history and what the owner reports. */
  subjective: Maybe<Scalars['String']['output']>;
  /** O: rectal temperature in °C. */
  temperatureC: Maybe<Scalars['Float']['output']>;
  /** Short title, e.g. the reason for the visit. */
  title: Scalars['String']['output'];
  /** When it last changed. */
  updatedAt: Scalars['DateTime']['output'];
  /** The vet who wrote it. */
  vet: Maybe<Profile>;
  /** Day of the visit. */
  visitDate: Scalars['Date']['output'];
  /** O: weight in kilograms. */
  weightKg: Maybe<Scalars['Float']['output']>;
};

/** A correction or addition to a visit note, with who wrote it and when. Never edited. */
export type MedicalRecordAddendum = Node & {
  __typename?: 'MedicalRecordAddendum';
  /** Who wrote it. */
  author: Maybe<Profile>;
  /** The text. */
  body: Scalars['String']['output'];
  /** When it was written. */
  createdAt: Scalars['DateTime']['output'];
  /** Opaque global ID. Stable; pass it to `node(id:)` or to arguments that take this type's ID. */
  id: Scalars['ID']['output'];
};

/** A page of a list. Page with `first`/`after` forwards, `last`/`before` backwards. */
export type MedicalRecordConnection = {
  __typename?: 'MedicalRecordConnection';
  /** The items of this page, each with its cursor. */
  edges: Array<MedicalRecordEdge>;
  /** The items of this page, without cursors. */
  nodes: Array<MedicalRecord>;
  /** Cursors and whether more pages exist. */
  pageInfo: PageInfo;
  /** Items in the whole list, all pages together, as visible to the caller. */
  totalCount: Scalars['Int']['output'];
};

/** An item of a list with its cursor. */
export type MedicalRecordEdge = {
  __typename?: 'MedicalRecordEdge';
  /** Opaque position of this item; pass as `after` or `before`. */
  cursor: Scalars['String']['output'];
  /** The item. */
  node: MedicalRecord;
};

/** Result of the visit-note mutations. */
export type MedicalRecordPayload = {
  __typename?: 'MedicalRecordPayload';
  /** The note after the change. */
  record: Maybe<MedicalRecord>;
  /** What to fix; when not empty, nothing changed. */
  userErrors: Array<VisitUserError>;
};

/** Changing VetQL. Every mutation is one transaction: all of it happens, or none. */
export type Mutation = {
  __typename?: 'Mutation';
  /** Join a clinic's staff with an invitation's code; no token needed, the code is the credential. */
  acceptInvitation: AcceptInvitationPayload;
  /** Add a catalogue line to a draft; the database recomputes totals and IVA. Staff only. */
  addInvoiceLine: InvoicePayload;
  /** Add a correction or addition to a visit note, with who and when. Staff only. */
  addMedicalRecordAddendum: MedicalRecordPayload;
  /** Add a problem-list entry (coded or free); one active entry per pet and code. Staff only. */
  addPatientProblem: PatientProblemPayload;
  /** Archive a client: kept, hidden from lists and search. Staff only. */
  archiveOwner: OwnerPayload;
  /** Archive a patient: kept, hidden from lists and search, not bookable. Staff only. */
  archivePet: PatientPayload;
  /** Put an appointment in a room; never more at once than the room's capacity. Staff only. */
  assignRoom: AppointmentPayload;
  /** Book a visit within the clinic's hours and settings. Staff: any patient; owners: their pets. */
  bookAppointment: AppointmentPayload;
  /** Cancel a visit. Owners: their pets', before the clinic's cancellation window. */
  cancelAppointment: AppointmentPayload;
  /** Cancel one occurrence of a series. Staff only. */
  cancelOccurrence: AppointmentPayload;
  /** Cancel an occurrence and all following ones; the series ends. Staff only. */
  cancelRecurrence: CancelRecurrencePayload;
  /** Change a vet's or admin's role; the clinic keeps an active admin. Admin only. */
  changeStaffRole: StaffPayload;
  /** The patient arrived (sets checkedInAt/By). Staff only. */
  checkIn: AppointmentPayload;
  /** Close an anesthesia log with its outcome; open alarms are cleared. Staff only. */
  completeAnesthesia: AnesthesiaLogPayload;
  /** The visit ends (sets completedAt, visitDurationMinutes, the pet's lastVisitDate). Staff only. */
  completeAppointment: AppointmentPayload;
  /** Open a clinic with its settings and invite its first admin (a single-use code). Platform only. */
  createClinic: CreateClinicPayload;
  /** Add an exam room (name unique in the clinic, ignoring case). Staff only. */
  createExamRoom: ExamRoomPayload;
  /** Start a draft invoice for an owner, with lines from the catalogue. Staff only. */
  createInvoice: InvoicePayload;
  /** Write a SOAP visit note for an appointment or walk-in, as the caller. Staff only. */
  createMedicalRecord: MedicalRecordPayload;
  /** Register a client: name, document (unique in the clinic), phones (stored E.164), e-mail, address, emergency contact, preferences. Staff only. */
  createOwner: OwnerPayload;
  /** Raise a warning on a patient (type, severity, title, optional expiry). Staff only. */
  createPatientAlert: PatientAlertPayload;
  /** Register a patient of a client of the clinic (microchip unique in the clinic). Staff only. */
  createPet: PatientPayload;
  /** Add a product to the catalogue (price in whole PYG, IVA rate). Staff only. */
  createProduct: ProductPayload;
  /** Create a discount code; the clinic's plan caps how many are active. Staff only. */
  createPromotion: PromotionPayload;
  /** Create a recurring series and book it up to a horizon; conflicts reported per occurrence. Staff only. */
  createRecurringAppointments: RecurringAppointmentsPayload;
  /** Add a service to the catalogue (price in whole PYG, IVA rate). Staff only. */
  createService: ServicePayload;
  /** Add a plan to the price list. Platform only. */
  createSubscriptionPlan: SubscriptionPlanPayload;
  /** Subscribe a clinic to an active plan (TRIALING or ACTIVE). Platform only. */
  createTenantSubscription: TenantSubscriptionPayload;
  /** Stop pushes to one of the caller's devices. */
  deactivateDevice: UserDevicePayload;
  /** Switch an alert off. Staff only. */
  deactivatePatientAlert: PatientAlertPayload;
  /** Deactivate a vet or admin: their tokens stop at once; the clinic keeps an active admin. Admin only. */
  deactivateStaff: StaffPayload;
  /** Change one occurrence of a series (time, length, vet, reason). Staff only. */
  editOccurrence: AppointmentPayload;
  /** Invite a client to the owner app with a single-use, expiring code. Staff only. */
  inviteOwner: InvitationPayload;
  /** Invite a vet or admin by e-mail with a single-use, expiring code. Admin only. */
  inviteStaff: InvitationPayload;
  /** Issue a draft: numbered gap-free by the database, never edited again. Staff only. */
  issueInvoice: InvoicePayload;
  /** The patient did not come. Staff only. */
  markNoShow: AppointmentPayload;
  /** Record a patient's death (date and cause); its future visits are cancelled, its series ended, and it can no longer be booked or anaesthetised. Staff only. */
  markPetDeceased: PatientPayload;
  /** Mark a problem chronic, or not. Staff only. */
  markProblemChronic: PatientProblemPayload;
  /** Move an appointment to another room in one step. Staff only. */
  moveRoom: AppointmentPayload;
  /** Record when a phase began (induction ... full recovery), in order. Staff only. */
  recordAnesthesiaPhase: AnesthesiaLogPayload;
  /** Record a cash, card or transfer payment; never more than the balance due. Staff only. */
  recordPayment: PaymentPayload;
  /** Record a vaccine given (product, lot, dose, route, site, next dose). Staff only. */
  recordVaccine: VaccinePayload;
  /** Add one reading or a batch (up to 500) to an open anesthesia log. Staff only. */
  recordVitals: RecordVitalsPayload;
  /** Apply a code to an invoice atomically (limits hold under concurrency). Staff only. */
  redeemPromotion: RedeemPromotionPayload;
  /** Give money back against a payment; the invoice owes it again. Staff only. */
  refundPayment: RefundPayload;
  /** Register the caller's push token; a token another user had moves to the caller. */
  registerDevice: UserDevicePayload;
  /** Free the room an appointment holds. Staff only. */
  releaseRoom: AppointmentPayload;
  /** Take a line off a draft. Staff only. */
  removeInvoiceLine: InvoicePayload;
  /** Move a booked visit to another time (and vet); its room follows if it fits. Staff only. */
  rescheduleAppointment: AppointmentPayload;
  /** Mark a problem resolved (not before its onset); it stops being active. Staff only. */
  resolvePatientProblem: PatientProblemPayload;
  /** Bring an archived client back. Admin only. */
  restoreOwner: OwnerPayload;
  /** Bring an archived patient back. Admin only. */
  restorePet: PatientPayload;
  /** Sign a visit note: never edited afterwards. Staff only. */
  signMedicalRecord: MedicalRecordPayload;
  /** Open an anesthesia log for a procedure. Staff only. */
  startAnesthesia: AnesthesiaLogPayload;
  /** The consultation begins (sets startedAt, waitTimeMinutes). Staff only. */
  startAppointment: AppointmentPayload;
  /** Record use of one of the caller's devices now. */
  touchDevice: UserDevicePayload;
  /** Move a patient to another client of the same clinic. Staff only. */
  transferPet: PatientPayload;
  /** Edit the caller's clinic: contact, hours, booking and notification settings. Admin only. */
  updateClinic: ClinicPayload;
  /** Edit a room; `isActive: false` takes it out of use. Staff only. */
  updateExamRoom: ExamRoomPayload;
  /** Whether prices include IVA; the clinic's RUC, timbrado and numbering codes. Admin only. */
  updateInvoiceSettings: InvoiceSettingsPayload;
  /** Edit a visit note that is not signed yet. Staff only. */
  updateMedicalRecord: MedicalRecordPayload;
  /** Edit a client. Staff only. */
  updateOwner: OwnerPayload;
  /** Edit an alert. Staff only. */
  updatePatientAlert: PatientAlertPayload;
  /** Edit a problem-list entry. Staff only. */
  updatePatientProblem: PatientProblemPayload;
  /** Edit a pet: name, species, breed, sex, neutered, birth, colour, microchip, weight (each change kept), primary vet, insurance policy, behavioural notes, preferred time. Staff only. */
  updatePet: PetPayload;
  /** Change a product; `isActive: false` stops invoicing it. Staff only. */
  updateProduct: ProductPayload;
  /** Edit contact details and preferences: owners their own profile, staff their clinic's. */
  updateProfile: ProfilePayload;
  /** Edit a discount code or switch it on or off. Staff only. */
  updatePromotion: PromotionPayload;
  /** Change a service; `isActive: false` stops invoicing it. Staff only. */
  updateService: ServicePayload;
  /** Change a plan; `isActive: false` retires it. Platform only. */
  updateSubscriptionPlan: SubscriptionPlanPayload;
  /** Change a clinic's subscription status or plan, or cancel at period end. Platform only. */
  updateTenantSubscription: TenantSubscriptionPayload;
  /** Void an unpaid invoice; its promotion uses are given back. Staff only. */
  voidInvoice: VoidInvoicePayload;
};


/** Changing VetQL. Every mutation is one transaction: all of it happens, or none. */
export type MutationAcceptInvitationArgs = {
  input: AcceptInvitationInput;
};


/** Changing VetQL. Every mutation is one transaction: all of it happens, or none. */
export type MutationAddInvoiceLineArgs = {
  input: AddInvoiceLineInput;
};


/** Changing VetQL. Every mutation is one transaction: all of it happens, or none. */
export type MutationAddMedicalRecordAddendumArgs = {
  input: AddMedicalRecordAddendumInput;
};


/** Changing VetQL. Every mutation is one transaction: all of it happens, or none. */
export type MutationAddPatientProblemArgs = {
  input: AddPatientProblemInput;
};


/** Changing VetQL. Every mutation is one transaction: all of it happens, or none. */
export type MutationArchiveOwnerArgs = {
  input: OwnerInput;
};


/** Changing VetQL. Every mutation is one transaction: all of it happens, or none. */
export type MutationArchivePetArgs = {
  input: PetInput;
};


/** Changing VetQL. Every mutation is one transaction: all of it happens, or none. */
export type MutationAssignRoomArgs = {
  input: AssignRoomInput;
};


/** Changing VetQL. Every mutation is one transaction: all of it happens, or none. */
export type MutationBookAppointmentArgs = {
  input: BookAppointmentInput;
};


/** Changing VetQL. Every mutation is one transaction: all of it happens, or none. */
export type MutationCancelAppointmentArgs = {
  input: AppointmentActionInput;
};


/** Changing VetQL. Every mutation is one transaction: all of it happens, or none. */
export type MutationCancelOccurrenceArgs = {
  input: AppointmentActionInput;
};


/** Changing VetQL. Every mutation is one transaction: all of it happens, or none. */
export type MutationCancelRecurrenceArgs = {
  input: CancelRecurrenceInput;
};


/** Changing VetQL. Every mutation is one transaction: all of it happens, or none. */
export type MutationChangeStaffRoleArgs = {
  input: ChangeStaffRoleInput;
};


/** Changing VetQL. Every mutation is one transaction: all of it happens, or none. */
export type MutationCheckInArgs = {
  input: AppointmentActionInput;
};


/** Changing VetQL. Every mutation is one transaction: all of it happens, or none. */
export type MutationCompleteAnesthesiaArgs = {
  input: CompleteAnesthesiaInput;
};


/** Changing VetQL. Every mutation is one transaction: all of it happens, or none. */
export type MutationCompleteAppointmentArgs = {
  input: AppointmentActionInput;
};


/** Changing VetQL. Every mutation is one transaction: all of it happens, or none. */
export type MutationCreateClinicArgs = {
  input: CreateClinicInput;
};


/** Changing VetQL. Every mutation is one transaction: all of it happens, or none. */
export type MutationCreateExamRoomArgs = {
  input: CreateExamRoomInput;
};


/** Changing VetQL. Every mutation is one transaction: all of it happens, or none. */
export type MutationCreateInvoiceArgs = {
  input: CreateInvoiceInput;
};


/** Changing VetQL. Every mutation is one transaction: all of it happens, or none. */
export type MutationCreateMedicalRecordArgs = {
  input: CreateMedicalRecordInput;
};


/** Changing VetQL. Every mutation is one transaction: all of it happens, or none. */
export type MutationCreateOwnerArgs = {
  input: CreateOwnerInput;
};


/** Changing VetQL. Every mutation is one transaction: all of it happens, or none. */
export type MutationCreatePatientAlertArgs = {
  input: CreatePatientAlertInput;
};


/** Changing VetQL. Every mutation is one transaction: all of it happens, or none. */
export type MutationCreatePetArgs = {
  input: CreatePetInput;
};


/** Changing VetQL. Every mutation is one transaction: all of it happens, or none. */
export type MutationCreateProductArgs = {
  input: CreateProductInput;
};


/** Changing VetQL. Every mutation is one transaction: all of it happens, or none. */
export type MutationCreatePromotionArgs = {
  input: CreatePromotionInput;
};


/** Changing VetQL. Every mutation is one transaction: all of it happens, or none. */
export type MutationCreateRecurringAppointmentsArgs = {
  input: CreateRecurringAppointmentsInput;
};


/** Changing VetQL. Every mutation is one transaction: all of it happens, or none. */
export type MutationCreateServiceArgs = {
  input: CreateServiceInput;
};


/** Changing VetQL. Every mutation is one transaction: all of it happens, or none. */
export type MutationCreateSubscriptionPlanArgs = {
  input: CreateSubscriptionPlanInput;
};


/** Changing VetQL. Every mutation is one transaction: all of it happens, or none. */
export type MutationCreateTenantSubscriptionArgs = {
  input: CreateTenantSubscriptionInput;
};


/** Changing VetQL. Every mutation is one transaction: all of it happens, or none. */
export type MutationDeactivateDeviceArgs = {
  input: DeviceInput;
};


/** Changing VetQL. Every mutation is one transaction: all of it happens, or none. */
export type MutationDeactivatePatientAlertArgs = {
  input: DeactivatePatientAlertInput;
};


/** Changing VetQL. Every mutation is one transaction: all of it happens, or none. */
export type MutationDeactivateStaffArgs = {
  input: StaffMemberInput;
};


/** Changing VetQL. Every mutation is one transaction: all of it happens, or none. */
export type MutationEditOccurrenceArgs = {
  input: EditOccurrenceInput;
};


/** Changing VetQL. Every mutation is one transaction: all of it happens, or none. */
export type MutationInviteOwnerArgs = {
  input: InviteOwnerInput;
};


/** Changing VetQL. Every mutation is one transaction: all of it happens, or none. */
export type MutationInviteStaffArgs = {
  input: InviteStaffInput;
};


/** Changing VetQL. Every mutation is one transaction: all of it happens, or none. */
export type MutationIssueInvoiceArgs = {
  input: IssueInvoiceInput;
};


/** Changing VetQL. Every mutation is one transaction: all of it happens, or none. */
export type MutationMarkNoShowArgs = {
  input: AppointmentActionInput;
};


/** Changing VetQL. Every mutation is one transaction: all of it happens, or none. */
export type MutationMarkPetDeceasedArgs = {
  input: MarkPetDeceasedInput;
};


/** Changing VetQL. Every mutation is one transaction: all of it happens, or none. */
export type MutationMarkProblemChronicArgs = {
  input: MarkProblemChronicInput;
};


/** Changing VetQL. Every mutation is one transaction: all of it happens, or none. */
export type MutationMoveRoomArgs = {
  input: AssignRoomInput;
};


/** Changing VetQL. Every mutation is one transaction: all of it happens, or none. */
export type MutationRecordAnesthesiaPhaseArgs = {
  input: RecordAnesthesiaPhaseInput;
};


/** Changing VetQL. Every mutation is one transaction: all of it happens, or none. */
export type MutationRecordPaymentArgs = {
  input: RecordPaymentInput;
};


/** Changing VetQL. Every mutation is one transaction: all of it happens, or none. */
export type MutationRecordVaccineArgs = {
  input: RecordVaccineInput;
};


/** Changing VetQL. Every mutation is one transaction: all of it happens, or none. */
export type MutationRecordVitalsArgs = {
  input: RecordVitalsInput;
};


/** Changing VetQL. Every mutation is one transaction: all of it happens, or none. */
export type MutationRedeemPromotionArgs = {
  input: RedeemPromotionInput;
};


/** Changing VetQL. Every mutation is one transaction: all of it happens, or none. */
export type MutationRefundPaymentArgs = {
  input: RefundPaymentInput;
};


/** Changing VetQL. Every mutation is one transaction: all of it happens, or none. */
export type MutationRegisterDeviceArgs = {
  input: RegisterDeviceInput;
};


/** Changing VetQL. Every mutation is one transaction: all of it happens, or none. */
export type MutationReleaseRoomArgs = {
  input: ReleaseRoomInput;
};


/** Changing VetQL. Every mutation is one transaction: all of it happens, or none. */
export type MutationRemoveInvoiceLineArgs = {
  input: RemoveInvoiceLineInput;
};


/** Changing VetQL. Every mutation is one transaction: all of it happens, or none. */
export type MutationRescheduleAppointmentArgs = {
  input: RescheduleAppointmentInput;
};


/** Changing VetQL. Every mutation is one transaction: all of it happens, or none. */
export type MutationResolvePatientProblemArgs = {
  input: ResolvePatientProblemInput;
};


/** Changing VetQL. Every mutation is one transaction: all of it happens, or none. */
export type MutationRestoreOwnerArgs = {
  input: OwnerInput;
};


/** Changing VetQL. Every mutation is one transaction: all of it happens, or none. */
export type MutationRestorePetArgs = {
  input: PetInput;
};


/** Changing VetQL. Every mutation is one transaction: all of it happens, or none. */
export type MutationSignMedicalRecordArgs = {
  input: SignMedicalRecordInput;
};


/** Changing VetQL. Every mutation is one transaction: all of it happens, or none. */
export type MutationStartAnesthesiaArgs = {
  input: StartAnesthesiaInput;
};


/** Changing VetQL. Every mutation is one transaction: all of it happens, or none. */
export type MutationStartAppointmentArgs = {
  input: AppointmentActionInput;
};


/** Changing VetQL. Every mutation is one transaction: all of it happens, or none. */
export type MutationTouchDeviceArgs = {
  input: DeviceInput;
};


/** Changing VetQL. Every mutation is one transaction: all of it happens, or none. */
export type MutationTransferPetArgs = {
  input: TransferPetInput;
};


/** Changing VetQL. Every mutation is one transaction: all of it happens, or none. */
export type MutationUpdateClinicArgs = {
  input: UpdateClinicInput;
};


/** Changing VetQL. Every mutation is one transaction: all of it happens, or none. */
export type MutationUpdateExamRoomArgs = {
  input: UpdateExamRoomInput;
};


/** Changing VetQL. Every mutation is one transaction: all of it happens, or none. */
export type MutationUpdateInvoiceSettingsArgs = {
  input: UpdateInvoiceSettingsInput;
};


/** Changing VetQL. Every mutation is one transaction: all of it happens, or none. */
export type MutationUpdateMedicalRecordArgs = {
  input: UpdateMedicalRecordInput;
};


/** Changing VetQL. Every mutation is one transaction: all of it happens, or none. */
export type MutationUpdateOwnerArgs = {
  input: UpdateOwnerInput;
};


/** Changing VetQL. Every mutation is one transaction: all of it happens, or none. */
export type MutationUpdatePatientAlertArgs = {
  input: UpdatePatientAlertInput;
};


/** Changing VetQL. Every mutation is one transaction: all of it happens, or none. */
export type MutationUpdatePatientProblemArgs = {
  input: UpdatePatientProblemInput;
};


/** Changing VetQL. Every mutation is one transaction: all of it happens, or none. */
export type MutationUpdatePetArgs = {
  input: UpdatePetInput;
};


/** Changing VetQL. Every mutation is one transaction: all of it happens, or none. */
export type MutationUpdateProductArgs = {
  input: UpdateProductInput;
};


/** Changing VetQL. Every mutation is one transaction: all of it happens, or none. */
export type MutationUpdateProfileArgs = {
  input: UpdateProfileInput;
};


/** Changing VetQL. Every mutation is one transaction: all of it happens, or none. */
export type MutationUpdatePromotionArgs = {
  input: UpdatePromotionInput;
};


/** Changing VetQL. Every mutation is one transaction: all of it happens, or none. */
export type MutationUpdateServiceArgs = {
  input: UpdateServiceInput;
};


/** Changing VetQL. Every mutation is one transaction: all of it happens, or none. */
export type MutationUpdateSubscriptionPlanArgs = {
  input: UpdateSubscriptionPlanInput;
};


/** Changing VetQL. Every mutation is one transaction: all of it happens, or none. */
export type MutationUpdateTenantSubscriptionArgs = {
  input: UpdateTenantSubscriptionInput;
};


/** Changing VetQL. Every mutation is one transaction: all of it happens, or none. */
export type MutationVoidInvoiceArgs = {
  input: VoidInvoiceInput;
};

/** An object with a globally unique, opaque ID. Any of them can be fetched with `node(id:)`. */
export type Node = {
  /** Opaque global ID. Stable; pass it to `node(id:)` or to arguments that take this type's ID. */
  id: Scalars['ID']['output'];
};

/** Which notifications a clinic sends to owners. */
export type NotificationSettings = {
  __typename?: 'NotificationSettings';
  /** Send e-mails. */
  email: Maybe<Scalars['Boolean']['output']>;
  /** Send push notifications to the app. */
  push: Maybe<Scalars['Boolean']['output']>;
  /** How long before an appointment to remind. */
  reminderHoursBefore: Maybe<Scalars['Int']['output']>;
  /** Send SMS. */
  sms: Maybe<Scalars['Boolean']['output']>;
  /** Send WhatsApp messages. */
  whatsapp: Maybe<Scalars['Boolean']['output']>;
};

/** Which notifications the clinic sends. Left-out fields keep their value. */
export type NotificationSettingsInput = {
  /** Send e-mails. */
  email?: InputMaybe<Scalars['Boolean']['input']>;
  /** Send push notifications. */
  push?: InputMaybe<Scalars['Boolean']['input']>;
  /** Remind this many hours before an appointment, 1-168. */
  reminderHoursBefore?: InputMaybe<Scalars['Int']['input']>;
  /** Send SMS. */
  sms?: InputMaybe<Scalars['Boolean']['input']>;
  /** Send WhatsApp messages. */
  whatsapp?: InputMaybe<Scalars['Boolean']['input']>;
};

/** An occurrence of a series that was not booked, and why. */
export type OccurrenceConflict = {
  __typename?: 'OccurrenceConflict';
  /** Why: VET_UNAVAILABLE, ROOM_FULL, ... */
  code: SchedulingErrorCode;
  /** Human-readable explanation. */
  message: Scalars['String']['output'];
  /** When it would have started. */
  startTime: Scalars['DateTime']['output'];
};

/** A reading of one of the clinic's open logs, as streamed by `openLogVitals`. */
export type OpenLogReading = {
  __typename?: 'OpenLogReading';
  /** Global ID of the reading's anesthesia log. */
  anesthesiaLogId: Scalars['ID']['output'];
  /** The reading. */
  reading: VitalSign;
};

/** Narrows the client list. */
export type OwnerFilter = {
  /** Also archived clients. */
  includeArchived?: Scalars['Boolean']['input'];
  /** Name (accents and case ignored, parts of words too), document, phone in any format, or e-mail. */
  search?: InputMaybe<Scalars['String']['input']>;
};

/** Which client. */
export type OwnerInput = {
  /** The owner (a Profile ID). */
  ownerId: Scalars['ID']['input'];
};

/** Result of a client mutation. */
export type OwnerPayload = {
  __typename?: 'OwnerPayload';
  /** The client after the change; null on error. */
  owner: Maybe<Profile>;
  /** What to fix; empty on success. */
  userErrors: Array<FrontDeskUserError>;
};

/** Where a page sits in its list. */
export type PageInfo = {
  __typename?: 'PageInfo';
  /** Cursor of the last item; pass as `after`. */
  endCursor: Maybe<Scalars['String']['output']>;
  /** More items follow this page. */
  hasNextPage: Scalars['Boolean']['output'];
  /** Items precede this page. */
  hasPreviousPage: Scalars['Boolean']['output'];
  /** Cursor of the first item; pass as `before`. */
  startCursor: Maybe<Scalars['String']['output']>;
};

/** A warning staff must see before handling a patient (aggressive, allergy, ...). */
export type PatientAlert = Node & {
  __typename?: 'PatientAlert';
  /** What kind of warning this is. */
  alertType: AlertType;
  /** When it was raised. */
  createdAt: Scalars['DateTime']['output'];
  /** Who raised it. */
  createdBy: Maybe<Profile>;
  /** When the alert stops applying, if ever. */
  expiresAt: Maybe<Scalars['DateTime']['output']>;
  /** Opaque global ID. Stable; pass it to `node(id:)` or to arguments that take this type's ID. */
  id: Scalars['ID']['output'];
  /** True while switched on and not past `expiresAt`. An expired alert is not active. */
  isActive: Scalars['Boolean']['output'];
  /** Details. */
  message: Maybe<Scalars['String']['output']>;
  /** How prominently to show it. */
  severity: AlertSeverity;
  /** Short text shown on badges. */
  title: Scalars['String']['output'];
};

/** Result of an alert mutation. */
export type PatientAlertPayload = {
  __typename?: 'PatientAlertPayload';
  /** The alert after the change; null on error. */
  patientAlert: Maybe<PatientAlert>;
  /** What to fix; empty on success. */
  userErrors: Array<RecordsUserError>;
};

/** Result of a front-desk patient mutation. */
export type PatientPayload = {
  __typename?: 'PatientPayload';
  /** The pet after the change; null on error. */
  pet: Maybe<Pet>;
  /** What to fix; empty on success. */
  userErrors: Array<FrontDeskUserError>;
};

/** An entry of a patient's problem list: an ongoing or past condition. */
export type PatientProblem = Node & {
  __typename?: 'PatientProblem';
  /** The coded diagnosis, when the entry was coded. */
  diagnosisCode: Maybe<DiagnosisCode>;
  /** ICD code, when one is used. */
  icdCode: Maybe<Scalars['String']['output']>;
  /** Opaque global ID. Stable; pass it to `node(id:)` or to arguments that take this type's ID. */
  id: Scalars['ID']['output'];
  /** Still a current problem. */
  isActive: Scalars['Boolean']['output'];
  /** A lifelong or long-term condition. */
  isChronic: Scalars['Boolean']['output'];
  /** Clinical notes. */
  notes: Maybe<Scalars['String']['output']>;
  /** When it began. */
  onsetDate: Maybe<Scalars['Date']['output']>;
  /** Name of the condition. */
  problemName: Scalars['String']['output'];
  /** When it resolved; null while ongoing. */
  resolvedDate: Maybe<Scalars['Date']['output']>;
  /** Clinical severity. */
  severity: Maybe<ProblemSeverity>;
};

/** Result of a problem-list mutation. */
export type PatientProblemPayload = {
  __typename?: 'PatientProblemPayload';
  /** The entry after the change; null on error. */
  patientProblem: Maybe<PatientProblem>;
  /** What to fix; empty on success. */
  userErrors: Array<RecordsUserError>;
};

/** A payment received against an invoice. Never edited: refunds are their own rows. */
export type Payment = Node & {
  __typename?: 'Payment';
  /** Whole PYG received. */
  amount: Scalars['Int']['output'];
  /** Opaque global ID. Stable; pass it to `node(id:)` or to arguments that take this type's ID. */
  id: Scalars['ID']['output'];
  /** The invoice it pays. */
  invoiceId: Scalars['ID']['output'];
  /** Cash, card or bank transfer. */
  method: PaymentMethod;
  /** When it was received. */
  receivedAt: Scalars['DateTime']['output'];
  /** Who took it. */
  receivedBy: Maybe<Profile>;
  /** Card authorisation, transfer reference, receipt number. */
  reference: Maybe<Scalars['String']['output']>;
  /** Whole PYG refunded from it so far. */
  refundedAmount: Scalars['Int']['output'];
  /** Refunds, oldest first. */
  refunds: Array<Refund>;
};

/** How a payment was made. */
export type PaymentMethod =
  | 'CARD'
  | 'CASH'
  | 'TRANSFER';

/** Result of `recordPayment`. */
export type PaymentPayload = {
  __typename?: 'PaymentPayload';
  /** The invoice with its new balance. */
  invoice: Maybe<Invoice>;
  /** The payment. */
  payment: Maybe<Payment>;
  /** What to fix; when not empty, nothing changed. */
  userErrors: Array<TillUserError>;
};

/** An animal patient of the clinic. */
export type Pet = Node & {
  __typename?: 'Pet';
  /** Warnings to see before handling the pet, most severe first. Staff only: empty for owners. */
  alerts: Array<PatientAlert>;
  /** Anesthesia records, newest first. Staff only: empty for owners. */
  anesthesiaLogs: AnesthesiaLogConnection;
  /** Appointments by start time, oldest first; `upcomingOnly` from now on. */
  appointments: AppointmentConnection;
  /** When the record was archived (kept, hidden from lists by default). */
  archivedAt: Maybe<Scalars['DateTime']['output']>;
  /** Notes on temperament and handling. */
  behavioralNotes: Maybe<Scalars['String']['output']>;
  /** Breed, if known. */
  breed: Maybe<Scalars['String']['output']>;
  /** Cause of death, as recorded. */
  causeOfDeath: Maybe<Scalars['String']['output']>;
  /** Coat or plumage color. */
  color: Maybe<Scalars['String']['output']>;
  /** When the pet was registered. */
  createdAt: Scalars['DateTime']['output'];
  /** Date of birth, if known. */
  dateOfBirth: Maybe<Scalars['Date']['output']>;
  /** Date of death, when it has died. */
  deceasedOn: Maybe<Scalars['Date']['output']>;
  /** Opaque global ID. Stable; pass it to `node(id:)` or to arguments that take this type's ID. */
  id: Scalars['ID']['output'];
  /** Invoices for this pet, newest first (an owner: own ones). */
  invoices: InvoiceConnection;
  /** The pet has died. */
  isDeceased: Scalars['Boolean']['output'];
  /** Spayed or castrated. */
  isNeutered: Scalars['Boolean']['output'];
  /** Date of the last completed visit. */
  lastVisitDate: Maybe<Scalars['Date']['output']>;
  /** Visit notes, newest first. Staff only: empty for owners. */
  medicalRecords: MedicalRecordConnection;
  /** Microchip number. */
  microchipId: Maybe<Scalars['String']['output']>;
  /** The pet's name. */
  name: Scalars['String']['output'];
  /** When the next visit is due, computed by the database when read: the earliest booked visit not yet attended (its day where the clinic is) or next vaccine dose (each vaccine's latest); a past date is overdue. Null when nothing is due or the pet is deceased. */
  nextVisitDue: Maybe<Scalars['Date']['output']>;
  /** The pet's owner. */
  owner: Maybe<Profile>;
  /** When the owner prefers to bring the pet in. */
  preferredAppointmentTime: Maybe<PreferredTime>;
  /** The vet who usually sees this pet. */
  primaryVet: Maybe<Profile>;
  /** The problem list: ongoing conditions first, then past ones. */
  problems: Array<PatientProblem>;
  /** Sex. */
  sex: Sex;
  /** Species. */
  species: Species;
  /** Vaccines given, most recent first. */
  vaccines: Array<Vaccine>;
  /** Every weight recorded, oldest first: the weight curve. Staff only: empty for owners. */
  weightHistory: Array<PetWeight>;
  /** Last recorded weight in kilograms. */
  weightKg: Maybe<Scalars['Float']['output']>;
};


/** An animal patient of the clinic. */
export type PetAlertsArgs = {
  activeOnly?: Scalars['Boolean']['input'];
};


/** An animal patient of the clinic. */
export type PetAnesthesiaLogsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
};


/** An animal patient of the clinic. */
export type PetAppointmentsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
  upcomingOnly?: Scalars['Boolean']['input'];
};


/** An animal patient of the clinic. */
export type PetInvoicesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
};


/** An animal patient of the clinic. */
export type PetMedicalRecordsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
};


/** An animal patient of the clinic. */
export type PetProblemsArgs = {
  activeOnly?: Scalars['Boolean']['input'];
};

/** A page of a list. Page with `first`/`after` forwards, `last`/`before` backwards. */
export type PetConnection = {
  __typename?: 'PetConnection';
  /** The items of this page, each with its cursor. */
  edges: Array<PetEdge>;
  /** The items of this page, without cursors. */
  nodes: Array<Pet>;
  /** Cursors and whether more pages exist. */
  pageInfo: PageInfo;
  /** Items in the whole list, all pages together, as visible to the caller. */
  totalCount: Scalars['Int']['output'];
};

/** An item of a list with its cursor. */
export type PetEdge = {
  __typename?: 'PetEdge';
  /** Opaque position of this item; pass as `after` or `before`. */
  cursor: Scalars['String']['output'];
  /** The item. */
  node: Pet;
};

/** Narrows the patient list. All given conditions must hold. */
export type PetFilter = {
  /** True: only pets with an active alert; false: only pets without. */
  hasActiveAlerts?: InputMaybe<Scalars['Boolean']['input']>;
  /** Also archived pets (hidden by default). */
  includeArchived?: Scalars['Boolean']['input'];
  /** Only this owner's pets. */
  ownerId?: InputMaybe<Scalars['ID']['input']>;
  /** Part of the name (any case), or an exact microchip number. */
  search?: InputMaybe<Scalars['String']['input']>;
  /** Any of these species. */
  species?: InputMaybe<Array<Species>>;
};

/** Which patient. */
export type PetInput = {
  /** The pet. */
  petId: Scalars['ID']['input'];
};

/** Orders of the patient list. */
export type PetOrder =
  | 'CREATED_AT_ASC'
  | 'CREATED_AT_DESC'
  | 'NAME_ASC'
  | 'NAME_DESC';

/** Result of `updatePet`. */
export type PetPayload = {
  __typename?: 'PetPayload';
  /** The pet after the change; null on error. */
  pet: Maybe<Pet>;
  /** What to fix; empty on success. */
  userErrors: Array<RecordsUserError>;
};

/** One weighing of a patient, kept whenever its weight changes. */
export type PetWeight = Node & {
  __typename?: 'PetWeight';
  /** Opaque global ID. Stable; pass it to `node(id:)` or to arguments that take this type's ID. */
  id: Scalars['ID']['output'];
  /** When the weight was recorded. */
  recordedAt: Scalars['DateTime']['output'];
  /** Who recorded it, when known. */
  recordedBy: Maybe<Profile>;
  /** Weight in kilograms. */
  weightKg: Scalars['Float']['output'];
};

/** When an owner prefers to bring the pet in. */
export type PreferredTime =
  | 'AFTERNOON'
  | 'ANY'
  | 'EVENING'
  | 'MORNING';

/** Clinical severity of a problem-list entry. */
export type ProblemSeverity =
  | 'MILD'
  | 'MODERATE'
  | 'SEVERE';

/** A product the clinic sells (medicines are usually IVA 5 %). Staff only. */
export type Product = Node & {
  __typename?: 'Product';
  /** Kind of product. */
  category: ProductCategory;
  /** When it was added. */
  createdAt: Scalars['DateTime']['output'];
  /** Opaque global ID. Stable; pass it to `node(id:)` or to arguments that take this type's ID. */
  id: Scalars['ID']['output'];
  /** Sold now; inactive ones cannot be invoiced. */
  isActive: Scalars['Boolean']['output'];
  /** IVA rate in percent: 10, 5 or 0 (exempt). */
  ivaRate: Scalars['Int']['output'];
  /** Name on invoices. */
  name: Scalars['String']['output'];
  /** Price in whole PYG, as the clinic's settings say (IVA included or not). */
  price: Scalars['Int']['output'];
  /** Stock code; unique in the clinic, ignoring case. */
  sku: Maybe<Scalars['String']['output']>;
};

/** Kind of product the clinic sells. */
export type ProductCategory =
  | 'ACCESSORY'
  | 'FOOD'
  | 'MEDICINE'
  | 'OTHER'
  | 'SUPPLY'
  | 'VACCINE';

/** Result of `createProduct` and `updateProduct`. */
export type ProductPayload = {
  __typename?: 'ProductPayload';
  /** The product; null on error. */
  product: Maybe<Product>;
  /** What to fix; when not empty, nothing changed. */
  userErrors: Array<TillUserError>;
};

/** A person of a clinic: a pet owner, a vet or an administrator. */
export type Profile = Node & {
  __typename?: 'Profile';
  /** Street and number. */
  addressLine1: Maybe<Scalars['String']['output']>;
  /** Apartment, floor, reference. */
  addressLine2: Maybe<Scalars['String']['output']>;
  /** When the client was archived (kept, hidden by default). */
  archivedAt: Maybe<Scalars['DateTime']['output']>;
  /** City of the postal address. */
  city: Maybe<Scalars['String']['output']>;
  /** What they agreed to receive. */
  communicationPreferences: CommunicationPreferences;
  /** ISO 3166-1 alpha-2 country code, e.g. PY. */
  country: Scalars['String']['output'];
  /** Identity document number as stored: no dots or spaces (CI 4123456, RUC 80012345-6); unique in the clinic. */
  documentNumber: Maybe<Scalars['String']['output']>;
  /** Kind of identity document: CI, RUC (for invoices), ... */
  documentType: Maybe<DocumentType>;
  /** E-mail address. */
  email: Maybe<Scalars['String']['output']>;
  /** Whom to call in an emergency. */
  emergencyContactName: Maybe<Scalars['String']['output']>;
  /** Their phone number. */
  emergencyContactPhone: Maybe<Scalars['String']['output']>;
  /** Name as it should be shown. */
  fullName: Scalars['String']['output'];
  /** Opaque global ID. Stable; pass it to `node(id:)` or to arguments that take this type's ID. */
  id: Scalars['ID']['output'];
  /** Invoices made out to this person, newest first. */
  invoices: InvoiceConnection;
  /** Still a member: false once an admin deactivated them (their tokens stop). */
  isActive: Scalars['Boolean']['output'];
  /** BCP 47 locale. */
  locale: Scalars['String']['output'];
  /** The person's pets by name (an owner sees their own; staff their clinic's). */
  pets: Array<Pet>;
  /** Phone number, international format (+595 ...). */
  phone: Maybe<Scalars['String']['output']>;
  /** Postal code. */
  postalCode: Maybe<Scalars['String']['output']>;
  /** How they prefer to be reached. */
  preferredContactMethod: ContactMethod;
  /** What the person is in the clinic. */
  role: Role;
  /** Another phone number. */
  secondaryPhone: Maybe<Scalars['String']['output']>;
  /** State or department. */
  state: Maybe<Scalars['String']['output']>;
  /** IANA time zone. */
  timezone: Scalars['String']['output'];
};


/** A person of a clinic: a pet owner, a vet or an administrator. */
export type ProfileInvoicesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
};


/** A person of a clinic: a pet owner, a vet or an administrator. */
export type ProfilePetsArgs = {
  currentOnly?: Scalars['Boolean']['input'];
};

/** A page of a list. Page with `first`/`after` forwards, `last`/`before` backwards. */
export type ProfileConnection = {
  __typename?: 'ProfileConnection';
  /** The items of this page, each with its cursor. */
  edges: Array<ProfileEdge>;
  /** The items of this page, without cursors. */
  nodes: Array<Profile>;
  /** Cursors and whether more pages exist. */
  pageInfo: PageInfo;
  /** Items in the whole list, all pages together, as visible to the caller. */
  totalCount: Scalars['Int']['output'];
};

/** An item of a list with its cursor. */
export type ProfileEdge = {
  __typename?: 'ProfileEdge';
  /** Opaque position of this item; pass as `after` or `before`. */
  cursor: Scalars['String']['output'];
  /** The item. */
  node: Profile;
};

/** Result of `updateProfile`. */
export type ProfilePayload = {
  __typename?: 'ProfilePayload';
  /** The profile after the change; null on error. */
  profile: Maybe<Profile>;
  /** What to fix; empty on success. */
  userErrors: Array<RecordsUserError>;
};

/** A discount code of the clinic. Staff only. */
export type Promotion = Node & {
  __typename?: 'Promotion';
  /** Only these services or products (ids of the clinic's catalogue); null: every line in scope. */
  applicableItems: Maybe<Array<Scalars['ID']['output']>>;
  /** Which kind of lines it discounts. */
  appliesTo: PromotionScope;
  /** What customers type; unique in the clinic, ignoring case. */
  code: Scalars['String']['output'];
  /** When it was created. */
  createdAt: Scalars['DateTime']['output'];
  /** Longer text. */
  description: Maybe<Scalars['String']['output']>;
  /** Percentage of the eligible lines, or fixed PYG. */
  discountType: DiscountType;
  /** Percent (0-100] or whole PYG. */
  discountValue: Scalars['Decimal']['output'];
  /** Valid until this instant (exclusive); null: ever. */
  expiresAt: Maybe<Scalars['DateTime']['output']>;
  /** Opaque global ID. Stable; pass it to `node(id:)` or to arguments that take this type's ID. */
  id: Scalars['ID']['output'];
  /** Switched on. Active codes count against the plan's limit. */
  isActive: Scalars['Boolean']['output'];
  /** Most it takes off one invoice, in PYG. */
  maximumDiscount: Maybe<Scalars['Decimal']['output']>;
  /** Invoice subtotal needed, in PYG. */
  minimumPurchase: Maybe<Scalars['Decimal']['output']>;
  /** Name shown to staff and on invoices. */
  name: Scalars['String']['output'];
  /** Valid from this instant; null: already. */
  startsAt: Maybe<Scalars['DateTime']['output']>;
  /** Uses so far (voided invoices give theirs back). */
  timesUsed: Scalars['Int']['output'];
  /** Total uses allowed; null: unlimited. */
  usageLimit: Maybe<Scalars['Int']['output']>;
  /** Uses allowed per customer; null: unlimited. */
  usagePerCustomer: Maybe<Scalars['Int']['output']>;
};

/** A page of a list. Page with `first`/`after` forwards, `last`/`before` backwards. */
export type PromotionConnection = {
  __typename?: 'PromotionConnection';
  /** The items of this page, each with its cursor. */
  edges: Array<PromotionEdge>;
  /** The items of this page, without cursors. */
  nodes: Array<Promotion>;
  /** Cursors and whether more pages exist. */
  pageInfo: PageInfo;
  /** Items in the whole list, all pages together, as visible to the caller. */
  totalCount: Scalars['Int']['output'];
};

/** An item of a list with its cursor. */
export type PromotionEdge = {
  __typename?: 'PromotionEdge';
  /** Opaque position of this item; pass as `after` or `before`. */
  cursor: Scalars['String']['output'];
  /** The item. */
  node: Promotion;
};

/** Why a promotion mutation refused some input, or why a code does not apply to an invoice. */
export type PromotionErrorCode =
  | 'ALREADY_APPLIED'
  | 'CODE_TAKEN'
  | 'CUSTOMER_LIMIT_REACHED'
  | 'EXPIRED'
  | 'INACTIVE'
  | 'INVALID'
  | 'INVOICE_NOT_EDITABLE'
  | 'MINIMUM_NOT_MET'
  | 'NOTHING_TO_DISCOUNT'
  | 'NOT_APPLICABLE_ITEMS'
  | 'NOT_FOUND'
  | 'NOT_STARTED'
  | 'OUT_OF_RANGE'
  | 'PLAN_LIMIT_REACHED'
  | 'TOO_MANY_ITEMS'
  | 'USAGE_LIMIT_REACHED';

/** Narrows the promotion list. All given conditions must hold. */
export type PromotionFilter = {
  /** Only codes that are switched on and within their validity window now. */
  activeOnly?: Scalars['Boolean']['input'];
  /** Part of the code or name. */
  search?: InputMaybe<Scalars['String']['input']>;
};

/** Result of `createPromotion` and `updatePromotion`. */
export type PromotionPayload = {
  __typename?: 'PromotionPayload';
  /** The promotion after the change; null on error. */
  promotion: Maybe<Promotion>;
  /** What to fix; empty on success. */
  userErrors: Array<PromotionUserError>;
};

/** Which invoice lines a promotion discounts. */
export type PromotionScope =
  | 'ALL'
  | 'PRODUCTS'
  | 'SERVICES';

/** Something in the input a user can fix, or a reason a code does not apply. */
export type PromotionUserError = {
  __typename?: 'PromotionUserError';
  /** Stable code to branch on. */
  code: PromotionErrorCode;
  /** The offending input, e.g. `discountValue`. */
  field: Maybe<Scalars['String']['output']>;
  /** Human-readable explanation. */
  message: Scalars['String']['output'];
};

/** Whether a code applies to an invoice now, and why not. */
export type PromotionValidation = {
  __typename?: 'PromotionValidation';
  /** The discount it would give, PYG; 0 when not valid. */
  discountAmount: Scalars['Decimal']['output'];
  /** The promotion the code names, if any. */
  promotion: Maybe<Promotion>;
  /** Every reason it does not apply. */
  reasons: Array<PromotionUserError>;
  /** True when `redeemPromotion` would succeed now. */
  valid: Scalars['Boolean']['output'];
};

/** Reading VetQL. Everything is filtered by who asks (row-level security). */
export type Query = {
  __typename?: 'Query';
  /** Appointments by start time (an owner: their pets'), a page at a time. */
  appointments: AppointmentConnection;
  /** Who changed which clinical or financial record, when and how, newest first. Admins only. */
  auditEvents: AuditEventConnection;
  /** Active diagnosis codes whose term or code matches `search` (also misspelt), best first. */
  diagnosisCodes: Array<DiagnosisCode>;
  /** The clinic's rooms in display order. Staff only. */
  examRooms: Array<ExamRoom>;
  /** Whether the clinic's prices include IVA, its RUC, timbrado and numbering. Staff only. */
  invoiceSettings: InvoiceSettings;
  /** Invoices newest first, a page at a time: staff see the clinic's, an owner their own. */
  invoices: InvoiceConnection;
  /** The caller's push-notification devices, most recently used first. */
  myDevices: Array<UserDevice>;
  /** The object with this ID, or null if it does not exist or the caller may not see it. */
  node: Maybe<Node>;
  /** Several objects by ID, in order; null where missing or hidden. */
  nodes: Array<Maybe<Node>>;
  /** The clinic's clients (pet owners) by name, a page at a time; archived on request. Staff only. */
  owners: ProfileConnection;
  /** One patient by ID; null if missing or not visible to the caller. */
  pet: Maybe<Pet>;
  /** The clinic's patients (an owner: their own pets), a page at a time. */
  pets: PetConnection;
  /** The clinic's products by name. Staff only. */
  products: Array<Product>;
  /** The clinic's discount codes, newest first, a page at a time. Staff only. */
  promotions: PromotionConnection;
  /** The front desk's search: clients by name, document, phone or e-mail and patients by name or microchip, accents and case ignored, best match first. Staff only. */
  search: Array<SearchHit>;
  /** The clinic's services by name. Staff only. */
  services: Array<Service>;
  /** Plans on offer, cheapest first. Public. */
  subscriptionPlans: Array<SubscriptionPlan>;
  /** A clinic's current subscription. Platform: any clinic; an admin: their own. */
  tenantSubscription: Maybe<TenantSubscription>;
  /** A clinic's usage per calendar month, counted by the database. Platform: any clinic; an admin: their own. */
  tenantUsage: Array<UsagePeriod>;
  /** Vaccines falling due within `within` days of the clinic's today, soonest first. Staff only. */
  upcomingVaccines: VaccineConnection;
  /** Whether a code applies to an invoice now, the discount, and every reason it does not. Staff only. */
  validatePromotion: PromotionValidation;
  /** The caller; null without a token. */
  viewer: Maybe<Viewer>;
};


/** Reading VetQL. Everything is filtered by who asks (row-level security). */
export type QueryAppointmentsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<AppointmentFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
};


/** Reading VetQL. Everything is filtered by who asks (row-level security). */
export type QueryAuditEventsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<AuditEventFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
};


/** Reading VetQL. Everything is filtered by who asks (row-level security). */
export type QueryDiagnosisCodesArgs = {
  first?: Scalars['Int']['input'];
  search: Scalars['String']['input'];
};


/** Reading VetQL. Everything is filtered by who asks (row-level security). */
export type QueryExamRoomsArgs = {
  includeInactive?: Scalars['Boolean']['input'];
};


/** Reading VetQL. Everything is filtered by who asks (row-level security). */
export type QueryInvoicesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<InvoiceFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
};


/** Reading VetQL. Everything is filtered by who asks (row-level security). */
export type QueryMyDevicesArgs = {
  activeOnly?: Scalars['Boolean']['input'];
};


/** Reading VetQL. Everything is filtered by who asks (row-level security). */
export type QueryNodeArgs = {
  id: Scalars['ID']['input'];
};


/** Reading VetQL. Everything is filtered by who asks (row-level security). */
export type QueryNodesArgs = {
  ids: Array<Scalars['ID']['input']>;
};


/** Reading VetQL. Everything is filtered by who asks (row-level security). */
export type QueryOwnersArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<OwnerFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
};


/** Reading VetQL. Everything is filtered by who asks (row-level security). */
export type QueryPetArgs = {
  id: Scalars['ID']['input'];
};


/** Reading VetQL. Everything is filtered by who asks (row-level security). */
export type QueryPetsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<PetFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
  orderBy?: PetOrder;
};


/** Reading VetQL. Everything is filtered by who asks (row-level security). */
export type QueryProductsArgs = {
  activeOnly?: Scalars['Boolean']['input'];
  search?: InputMaybe<Scalars['String']['input']>;
};


/** Reading VetQL. Everything is filtered by who asks (row-level security). */
export type QueryPromotionsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<PromotionFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
};


/** Reading VetQL. Everything is filtered by who asks (row-level security). */
export type QuerySearchArgs = {
  first?: Scalars['Int']['input'];
  text: Scalars['String']['input'];
};


/** Reading VetQL. Everything is filtered by who asks (row-level security). */
export type QueryServicesArgs = {
  activeOnly?: Scalars['Boolean']['input'];
  search?: InputMaybe<Scalars['String']['input']>;
};


/** Reading VetQL. Everything is filtered by who asks (row-level security). */
export type QueryTenantSubscriptionArgs = {
  tenantId?: InputMaybe<Scalars['String']['input']>;
};


/** Reading VetQL. Everything is filtered by who asks (row-level security). */
export type QueryTenantUsageArgs = {
  from: Scalars['Date']['input'];
  tenantId?: InputMaybe<Scalars['String']['input']>;
  to: Scalars['Date']['input'];
};


/** Reading VetQL. Everything is filtered by who asks (row-level security). */
export type QueryUpcomingVaccinesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<UpcomingVaccinesFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
  within?: Scalars['Int']['input'];
};


/** Reading VetQL. Everything is filtered by who asks (row-level security). */
export type QueryValidatePromotionArgs = {
  code: Scalars['String']['input'];
  invoiceId: Scalars['ID']['input'];
};

/** Records when a phase began. Phases must move forward in time. */
export type RecordAnesthesiaPhaseInput = {
  /** The open log. */
  anesthesiaLogId: Scalars['ID']['input'];
  /** When; default: now. */
  at?: InputMaybe<Scalars['DateTime']['input']>;
  /** Which phase. */
  phase: AnesthesiaPhase;
};

/** A payment received against an issued invoice. */
export type RecordPaymentInput = {
  /** Whole PYG, at most the balance due. */
  amount: Scalars['Decimal']['input'];
  /** The invoice. */
  invoiceId: Scalars['ID']['input'];
  /** Cash, card or transfer. */
  method: PaymentMethod;
  /** When (now if null), with offset. */
  receivedAt?: InputMaybe<Scalars['DateTime']['input']>;
  /** Authorisation or transfer reference. */
  reference?: InputMaybe<Scalars['String']['input']>;
};

/** Kind of medical record. */
export type RecordType =
  | 'CONSULTATION'
  | 'HOSPITALIZATION'
  | 'IMAGING'
  | 'LAB'
  | 'OTHER'
  | 'SURGERY'
  | 'VACCINATION';

/** A vaccine given. */
export type RecordVaccineInput = {
  /** Staff who gave it (me). */
  administeredById?: InputMaybe<Scalars['ID']['input']>;
  /** Day it was given. */
  administeredDate: Scalars['Date']['input'];
  /** Dose, e.g. 1 mL. */
  dose?: InputMaybe<Scalars['String']['input']>;
  /** Lot number. */
  lot?: InputMaybe<Scalars['String']['input']>;
  /** Lot expiry; not before the day given. */
  lotExpiry?: InputMaybe<Scalars['Date']['input']>;
  /** Maker. */
  manufacturer?: InputMaybe<Scalars['String']['input']>;
  /** The visit note. */
  medicalRecordId?: InputMaybe<Scalars['ID']['input']>;
  /** Vaccine name (the product's if null). */
  name?: InputMaybe<Scalars['String']['input']>;
  /** Next dose due; after the day given. */
  nextDoseDate?: InputMaybe<Scalars['Date']['input']>;
  /** Notes. */
  notes?: InputMaybe<Scalars['String']['input']>;
  /** The patient. */
  petId: Scalars['ID']['input'];
  /** The catalogue's product. */
  productId?: InputMaybe<Scalars['ID']['input']>;
  /** How. */
  route?: InputMaybe<VaccineRoute>;
  /** Where. */
  site?: InputMaybe<Scalars['String']['input']>;
};

/** Readings to add to an open anesthesia log. */
export type RecordVitalsInput = {
  /** The open log they belong to. */
  anesthesiaLogId: Scalars['ID']['input'];
  /** One reading or a batch of up to 500. */
  vitals: Array<VitalReadingInput>;
};

/** Result of `recordVitals`. */
export type RecordVitalsPayload = {
  __typename?: 'RecordVitalsPayload';
  /** Alarms these readings raised or cleared. */
  alarmEvents: Array<AlarmEvent>;
  /** How many readings had been stored already (retries). */
  duplicates: Scalars['Int']['output'];
  /** What to fix; when not empty, nothing was stored. */
  userErrors: Array<AnesthesiaUserError>;
  /** The readings as stored, in order; retried readings (same clientReadingId) as first stored. */
  vitals: Array<VitalSign>;
};

/** Why a patient-record mutation refused some input. */
export type RecordsErrorCode =
  | 'ALREADY_RESOLVED'
  | 'DATE_IN_FUTURE'
  | 'DUPLICATE_ACTIVE_PROBLEM'
  | 'INVALID'
  | 'INVALID_HOURS'
  | 'INVALID_LOCALE'
  | 'INVALID_TIMEZONE'
  | 'MICROCHIP_TAKEN'
  | 'NOT_FOUND'
  | 'NOT_IN_FUTURE'
  | 'NOT_STAFF'
  | 'OUT_OF_RANGE'
  | 'POLICY_NOT_OF_PET'
  | 'REQUIRED'
  | 'RESOLVED_BEFORE_ONSET'
  | 'TOO_LONG'
  | 'TOO_MANY';

/** Something in the input a user can fix. */
export type RecordsUserError = {
  __typename?: 'RecordsUserError';
  /** Stable code to branch on. */
  code: RecordsErrorCode;
  /** Path of the offending input, e.g. `businessHours.2.close`. */
  field: Maybe<Scalars['String']['output']>;
  /** Human-readable explanation. */
  message: Scalars['String']['output'];
};

/** How often a recurring appointment repeats. */
export type RecurrencePattern =
  | 'BIWEEKLY'
  | 'DAILY'
  | 'MONTHLY'
  | 'WEEKLY'
  | 'YEARLY';

/** Result of `createRecurringAppointments`. */
export type RecurringAppointmentsPayload = {
  __typename?: 'RecurringAppointmentsPayload';
  /** The appointments booked, in time order. */
  appointments: Array<Appointment>;
  /** Occurrences within the horizon that could not be booked; they still count toward maxOccurrences. */
  conflicts: Array<OccurrenceConflict>;
  /** The series; null on error. */
  recurrence: Maybe<AppointmentRecurrence>;
  /** What to fix; when not empty, nothing was stored. */
  userErrors: Array<SchedulingUserError>;
};

/** A code and the invoice it is meant for. */
export type RedeemPromotionInput = {
  /** The code as the customer typed it (case does not matter). */
  code: Scalars['String']['input'];
  /** Global ID of the invoice (Invoice:<uuid>). */
  invoiceId: Scalars['ID']['input'];
};

/** Result of `redeemPromotion`. */
export type RedeemPromotionPayload = {
  __typename?: 'RedeemPromotionPayload';
  /** What was taken off the invoice, PYG. */
  discountAmount: Maybe<Scalars['Decimal']['output']>;
  /** The invoice's new amounts. */
  invoice: Maybe<InvoiceTotals>;
  /** The promotion, with this use counted. */
  promotion: Maybe<Promotion>;
  /** Why it was not applied; when not empty, nothing changed. */
  userErrors: Array<PromotionUserError>;
};

/** Money given back against a payment. */
export type Refund = Node & {
  __typename?: 'Refund';
  /** Whole PYG given back. */
  amount: Scalars['Int']['output'];
  /** Opaque global ID. Stable; pass it to `node(id:)` or to arguments that take this type's ID. */
  id: Scalars['ID']['output'];
  /** The payment refunded. */
  paymentId: Scalars['ID']['output'];
  /** Why. */
  reason: Maybe<Scalars['String']['output']>;
  /** When. */
  refundedAt: Scalars['DateTime']['output'];
  /** Who gave it back. */
  refundedBy: Maybe<Profile>;
};

/** Result of `refundPayment`. */
export type RefundPayload = {
  __typename?: 'RefundPayload';
  /** The invoice with its new balance. */
  invoice: Maybe<Invoice>;
  /** The payment with its refunded amount. */
  payment: Maybe<Payment>;
  /** The refund. */
  refund: Maybe<Refund>;
  /** What to fix; when not empty, nothing changed. */
  userErrors: Array<TillUserError>;
};

/** Money given back against a payment. */
export type RefundPaymentInput = {
  /** Whole PYG, at most what is left of the payment. */
  amount: Scalars['Decimal']['input'];
  /** The payment. */
  paymentId: Scalars['ID']['input'];
  /** Why, up to 500 characters. */
  reason?: InputMaybe<Scalars['String']['input']>;
};

/** The caller's device and its push token. Registering a known token updates it. */
export type RegisterDeviceInput = {
  /** Client app version. */
  appVersion?: InputMaybe<Scalars['String']['input']>;
  /** Hardware model. */
  deviceModel?: InputMaybe<Scalars['String']['input']>;
  /** A name for it. */
  deviceName?: InputMaybe<Scalars['String']['input']>;
  /** Platform. */
  deviceType?: InputMaybe<DeviceType>;
  /** Firebase Cloud Messaging token, 1-4096 characters. A token another user of the clinic had moves to the caller. */
  fcmToken: Scalars['String']['input'];
  /** OS version. */
  osVersion?: InputMaybe<Scalars['String']['input']>;
};

/** Frees the room an appointment holds. */
export type ReleaseRoomInput = {
  /** The appointment. */
  appointmentId: Scalars['ID']['input'];
};

/** A line to take off a draft. */
export type RemoveInvoiceLineInput = {
  /** The line (InvoiceLine id). */
  lineId: Scalars['ID']['input'];
};

/** Moves a visit to another time (and vet). Its room moves with it if it still fits. */
export type RescheduleAppointmentInput = {
  /** The appointment. */
  appointmentId: Scalars['ID']['input'];
  /** New length; default: unchanged. */
  durationMinutes?: InputMaybe<Scalars['Int']['input']>;
  /** New start. */
  startTime: Scalars['DateTime']['input'];
  /** New vet; default: unchanged. */
  vetId?: InputMaybe<Scalars['ID']['input']>;
};

/** Marks a problem as resolved: it stops being active. */
export type ResolvePatientProblemInput = {
  /** Closing notes; replace the entry's notes. */
  notes?: InputMaybe<Scalars['String']['input']>;
  /** The entry. */
  problemId: Scalars['ID']['input'];
  /** When it resolved; default today. Not before onset, not in the future. */
  resolvedDate?: InputMaybe<Scalars['Date']['input']>;
};

/** A person's role in a clinic, or the SaaS operator's. */
export type Role =
  | 'ADMIN'
  | 'OWNER'
  | 'PLATFORM'
  | 'VET';

/** What a room is used for. */
export type RoomType =
  | 'EXAM'
  | 'IMAGING'
  | 'OTHER'
  | 'SURGERY'
  | 'TREATMENT';

/** Why a scheduling mutation refused some input. */
export type SchedulingErrorCode =
  | 'ALREADY_ASSIGNED'
  | 'CANCELLATION_WINDOW'
  | 'FORBIDDEN_FIELD'
  | 'INVALID'
  | 'INVALID_TRANSITION'
  | 'IN_THE_PAST'
  | 'NAME_TAKEN'
  | 'NOT_A_VET'
  | 'NOT_FOUND'
  | 'NOT_ITS_DAY'
  | 'NOT_RECURRING'
  | 'NO_ROOM_ASSIGNED'
  | 'OFF_SLOT_GRID'
  | 'OUTSIDE_BUSINESS_HOURS'
  | 'PET_NOT_BOOKABLE'
  | 'ROOM_FULL'
  | 'ROOM_INACTIVE'
  | 'ROOM_IN_USE'
  | 'TOO_FAR_AHEAD'
  | 'TOO_MANY'
  | 'VET_UNAVAILABLE';

/** Something in the input a user can fix. */
export type SchedulingUserError = {
  __typename?: 'SchedulingUserError';
  /** Stable code to branch on. */
  code: SchedulingErrorCode;
  /** The offending input field, e.g. `startTime`. */
  field: Maybe<Scalars['String']['output']>;
  /** Human-readable explanation. */
  message: Scalars['String']['output'];
};

/** One match of the front-desk search: a client or a patient, and how well it matched. */
export type SearchHit = {
  __typename?: 'SearchHit';
  /** The client found, when it is a client. */
  owner: Maybe<Profile>;
  /** The patient found, when it is a patient. */
  pet: Maybe<Pet>;
  /** 1 for an exact document, phone, e-mail or microchip; else 0-1. */
  score: Scalars['Float']['output'];
};

/** A service of the clinic's catalogue (consultation, vaccination, ...). Staff only. */
export type Service = Node & {
  __typename?: 'Service';
  /** Kind of service. */
  category: ServiceCategory;
  /** When it was added. */
  createdAt: Scalars['DateTime']['output'];
  /** Longer text. */
  description: Maybe<Scalars['String']['output']>;
  /** How long it takes; bookings default to it. */
  durationMinutes: Scalars['Int']['output'];
  /** Opaque global ID. Stable; pass it to `node(id:)` or to arguments that take this type's ID. */
  id: Scalars['ID']['output'];
  /** Offered now; inactive ones cannot be invoiced. */
  isActive: Scalars['Boolean']['output'];
  /** IVA rate in percent: 10, 5 or 0 (exempt). */
  ivaRate: Scalars['Int']['output'];
  /** Name on invoices and bookings. */
  name: Scalars['String']['output'];
  /** Price in whole PYG, as the clinic's settings say (IVA included or not). */
  price: Scalars['Int']['output'];
};

/** Kind of service the clinic offers. */
export type ServiceCategory =
  | 'CONSULTATION'
  | 'DENTAL'
  | 'GROOMING'
  | 'IMAGING'
  | 'LAB'
  | 'OTHER'
  | 'SURGERY'
  | 'VACCINATION';

/** Result of `createService` and `updateService`. */
export type ServicePayload = {
  __typename?: 'ServicePayload';
  /** The service; null on error. */
  service: Maybe<Service>;
  /** What to fix; when not empty, nothing changed. */
  userErrors: Array<TillUserError>;
};

/** Sex of an animal. */
export type Sex =
  | 'FEMALE'
  | 'MALE'
  | 'UNKNOWN';

/** The note to sign. */
export type SignMedicalRecordInput = {
  /** The note. */
  recordId: Scalars['ID']['input'];
};

/** A clinic's pages on social networks. */
export type SocialLinks = {
  __typename?: 'SocialLinks';
  /** Facebook page URL. */
  facebook: Maybe<Scalars['String']['output']>;
  /** Instagram profile URL. */
  instagram: Maybe<Scalars['String']['output']>;
  /** TikTok profile URL. */
  tiktok: Maybe<Scalars['String']['output']>;
  /** WhatsApp number, international format. */
  whatsapp: Maybe<Scalars['String']['output']>;
  /** X (Twitter) profile URL. */
  x: Maybe<Scalars['String']['output']>;
  /** YouTube channel URL. */
  youtube: Maybe<Scalars['String']['output']>;
};

/** A clinic's pages on social networks (https URLs). The whole set is replaced. */
export type SocialLinksInput = {
  /** Facebook page URL. */
  facebook?: InputMaybe<Scalars['String']['input']>;
  /** Instagram profile URL. */
  instagram?: InputMaybe<Scalars['String']['input']>;
  /** TikTok profile URL. */
  tiktok?: InputMaybe<Scalars['String']['input']>;
  /** WhatsApp number, international format. */
  whatsapp?: InputMaybe<Scalars['String']['input']>;
  /** X (Twitter) profile URL. */
  x?: InputMaybe<Scalars['String']['input']>;
  /** YouTube channel URL. */
  youtube?: InputMaybe<Scalars['String']['input']>;
};

/** Animal species. */
export type Species =
  | 'BIRD'
  | 'CAT'
  | 'DOG'
  | 'FERRET'
  | 'OTHER'
  | 'RABBIT'
  | 'REPTILE'
  | 'RODENT';

/** Why a clinic or staff mutation refused some input. */
export type StaffErrorCode =
  | 'ALREADY_INACTIVE'
  | 'CODE_EXPIRED'
  | 'CODE_USED'
  | 'EMAIL_TAKEN'
  | 'INVALID'
  | 'INVALID_CODE'
  | 'INVALID_EMAIL'
  | 'INVALID_HOURS'
  | 'INVALID_LOCALE'
  | 'INVALID_TIMEZONE'
  | 'LAST_ADMIN'
  | 'NOT_FOUND'
  | 'NOT_STAFF'
  | 'OUT_OF_RANGE'
  | 'REQUIRED'
  | 'SLUG_TAKEN'
  | 'TOO_LONG'
  | 'TOO_MANY'
  | 'UNKNOWN_PLAN';

/** An invitation to a clinic: to its staff (seen by its admins) or, for a client, to the owner app (seen by its staff). */
export type StaffInvitation = Node & {
  __typename?: 'StaffInvitation';
  /** When it was accepted; a code works once. */
  acceptedAt: Maybe<Scalars['DateTime']['output']>;
  /** The profile that accepted it. */
  acceptedProfile: Maybe<Profile>;
  /** When it was sent. */
  createdAt: Scalars['DateTime']['output'];
  /** Whom it was sent to. */
  email: Scalars['String']['output'];
  /** After this the code no longer works. */
  expiresAt: Scalars['DateTime']['output'];
  /** Opaque global ID. Stable; pass it to `node(id:)` or to arguments that take this type's ID. */
  id: Scalars['ID']['output'];
  /** The admin who invited (null: the platform). */
  invitedBy: Maybe<Profile>;
  /** An owner's invitation: the client invited. */
  ownerProfile: Maybe<Profile>;
  /** The role the invitee gets: VET, ADMIN, or OWNER (a client, for the owner app). */
  role: Role;
};

/** Which staff member. */
export type StaffMemberInput = {
  /** The vet or admin. */
  profileId: Scalars['ID']['input'];
};

/** Result of a staff change. */
export type StaffPayload = {
  __typename?: 'StaffPayload';
  /** The member after the change. */
  profile: Maybe<Profile>;
  /** What to fix. */
  userErrors: Array<StaffUserError>;
};

/** A role staff can be invited to or given. */
export type StaffRole =
  | 'ADMIN'
  | 'VET';

/** Something in the input a user can fix. */
export type StaffUserError = {
  __typename?: 'StaffUserError';
  /** Stable code to branch on. */
  code: StaffErrorCode;
  /** Path of the offending input, e.g. `firstAdmin.email`. */
  field: Maybe<Scalars['String']['output']>;
  /** Human-readable explanation. */
  message: Scalars['String']['output'];
};

/** Opens an anesthesia log for a procedure. */
export type StartAnesthesiaInput = {
  /** Agents and doses. */
  anesthesiaProtocol?: InputMaybe<Scalars['String']['input']>;
  /** The appointment, if any. */
  appointmentId?: InputMaybe<Scalars['ID']['input']>;
  /** Notes. */
  notes?: InputMaybe<Scalars['String']['input']>;
  /** The patient. */
  petId: Scalars['ID']['input'];
  /** An object, e.g. {asa: 2, fastingHours: 12, findings: '...'}. */
  preAnesthesiaAssessment?: InputMaybe<Scalars['JSON']['input']>;
  /** The procedure, 1-200 characters. */
  procedureName: Scalars['String']['input'];
};

/** Live events over WebSocket (graphql-transport-ws, graphql-ws) or HTTP multipart. */
export type Subscription = {
  __typename?: 'Subscription';
  /** The alarms active now (`isCurrentState`), then each RAISED / CLEARED transition, on one log (completes when the log is completed; `after` resumes) or on every open log of the clinic. Staff only. */
  anesthesiaAlarms: AlarmEvent;
  /** Each new reading of every open log of the clinic, with its log: a whole operating block in one subscription. Staff only. */
  openLogVitals: OpenLogReading;
  /** The clinic's open surgeries as they stand, then every log opened, phase recorded, log completed and alarm raised or cleared, numbered per clinic; `after` resumes. Staff only. */
  surgeryEvents: SurgeryEvent;
  /** Each new reading of one anesthesia log, in commit order, exactly once; with `after` (a reading's cursor), first every reading committed after it; with `since`, first the readings taken at or after that instant. Completes when the log is completed. Staff of the log's clinic only. */
  vitalsRecorded: VitalSign;
};


/** Live events over WebSocket (graphql-transport-ws, graphql-ws) or HTTP multipart. */
export type SubscriptionAnesthesiaAlarmsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  anesthesiaLogId?: InputMaybe<Scalars['ID']['input']>;
};


/** Live events over WebSocket (graphql-transport-ws, graphql-ws) or HTTP multipart. */
export type SubscriptionSurgeryEventsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
};


/** Live events over WebSocket (graphql-transport-ws, graphql-ws) or HTTP multipart. */
export type SubscriptionVitalsRecordedArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  anesthesiaLogId: Scalars['ID']['input'];
  since?: InputMaybe<Scalars['DateTime']['input']>;
};

/** A plan clinics can subscribe to. Active plans are public. */
export type SubscriptionPlan = Node & {
  __typename?: 'SubscriptionPlan';
  /** Plan id: basic, pro, enterprise, ... */
  code: Scalars['String']['output'];
  /** What the plan offers. */
  description: Maybe<Scalars['String']['output']>;
  /** Feature flags the plan enables (a list of names). */
  features: Scalars['JSON']['output'];
  /** Opaque global ID. Stable; pass it to `node(id:)` or to arguments that take this type's ID. */
  id: Scalars['ID']['output'];
  /** Offered to clinics. */
  isActive: Scalars['Boolean']['output'];
  /** Usage limits, e.g. {users: 5, sms_per_month: 100, storage_gb: 5}; null means unlimited. */
  limits: Scalars['JSON']['output'];
  /** Display name. */
  name: Scalars['String']['output'];
  /** Monthly price in PYG. */
  priceMonthly: Maybe<Scalars['Decimal']['output']>;
  /** Yearly price in PYG. */
  priceYearly: Maybe<Scalars['Decimal']['output']>;
};

/** Result of a plan mutation. */
export type SubscriptionPlanPayload = {
  __typename?: 'SubscriptionPlanPayload';
  /** The plan after the change; null on error. */
  plan: Maybe<SubscriptionPlan>;
  /** What to fix; empty on success. */
  userErrors: Array<BillingUserError>;
};

/** Where a clinic's subscription stands. */
export type SubscriptionStatus =
  | 'ACTIVE'
  | 'CANCELED'
  | 'PAST_DUE'
  | 'SUSPENDED'
  | 'TRIALING';

/** A log opened, a phase recorded, a log completed, an alarm raised or cleared. */
export type SurgeryEvent = {
  __typename?: 'SurgeryEvent';
  /** For ALARM_RAISED / ALARM_CLEARED: the alarm. */
  alarm: Maybe<AnesthesiaAlarm>;
  /** The log, as it was when the event was read. */
  anesthesiaLog: AnesthesiaLog;
  /** Global ID of the anesthesia log. */
  anesthesiaLogId: Scalars['ID']['output'];
  /** Opaque position of this event: pass as `surgeryEvents(after:)` to resume right after it. */
  cursor: Scalars['String']['output'];
  /** True for the events that make up the open surgeries when the subscription began (each open log's LOG_OPENED, its phases, its active alarms), sent first; false for what happened while subscribed. */
  isCurrentState: Scalars['Boolean']['output'];
  /** What happened. */
  kind: SurgeryEventKind;
  /** When it happened (the phase's or reading's time). */
  occurredAt: Scalars['DateTime']['output'];
  /** For PHASE_RECORDED: which phase. */
  phase: Maybe<AnesthesiaPhase>;
  /** Position in the clinic's surgery events (1, 2, 3, ...), in commit order. */
  sequence: Scalars['Int']['output'];
};

/** What happened to a surgery. */
export type SurgeryEventKind =
  | 'ALARM_CLEARED'
  | 'ALARM_RAISED'
  | 'LOG_COMPLETED'
  | 'LOG_OPENED'
  | 'PHASE_RECORDED';

/** A clinic's subscription to a plan. The platform and the clinic's admins see it. */
export type TenantSubscription = Node & {
  __typename?: 'TenantSubscription';
  /** Ends when the current period does. */
  cancelAtPeriodEnd: Scalars['Boolean']['output'];
  /** When it was canceled. */
  canceledAt: Maybe<Scalars['DateTime']['output']>;
  /** The clinic's tenant id. */
  clinicSlug: Scalars['String']['output'];
  /** When the clinic subscribed. */
  createdAt: Scalars['DateTime']['output'];
  /** End of the paid period. */
  currentPeriodEnd: Maybe<Scalars['DateTime']['output']>;
  /** Start of the paid period. */
  currentPeriodStart: Maybe<Scalars['DateTime']['output']>;
  /** Opaque global ID. Stable; pass it to `node(id:)` or to arguments that take this type's ID. */
  id: Scalars['ID']['output'];
  /** Id of the plan subscribed to. */
  planCode: Scalars['String']['output'];
  /** Where it stands. CANCELED is final. */
  status: SubscriptionStatus;
  /** Last change. */
  updatedAt: Scalars['DateTime']['output'];
};

/** Result of a subscription mutation. */
export type TenantSubscriptionPayload = {
  __typename?: 'TenantSubscriptionPayload';
  /** After the change; null on error. */
  subscription: Maybe<TenantSubscription>;
  /** What to fix; empty on success. */
  userErrors: Array<BillingUserError>;
};

/** Why a catalogue, invoice or payment mutation refused some input. */
export type TillErrorCode =
  | 'DISCOUNT_TOO_LARGE'
  | 'EMPTY_INVOICE'
  | 'INVALID'
  | 'INVALID_TRANSITION'
  | 'INVOICE_NOT_EDITABLE'
  | 'INVOICE_VOID'
  | 'ITEM_INACTIVE'
  | 'NOT_AN_OWNER'
  | 'NOT_FOUND'
  | 'NOT_PAYABLE'
  | 'NOT_WHOLE_GUARANI'
  | 'OUT_OF_RANGE'
  | 'OVERPAYMENT'
  | 'PET_NOT_OF_OWNER'
  | 'REFUND_EXCEEDS_PAYMENT'
  | 'SKU_TAKEN'
  | 'TOO_LARGE';

/** Something in the input a user can fix. */
export type TillUserError = {
  __typename?: 'TillUserError';
  /** Stable code to branch on. */
  code: TillErrorCode;
  /** The offending input, e.g. `lines.0.unitPrice`. */
  field: Maybe<Scalars['String']['output']>;
  /** Human-readable explanation. */
  message: Scalars['String']['output'];
};

/** A patient moving to another client of the same clinic. */
export type TransferPetInput = {
  /** Its new owner: a client of the same clinic. */
  ownerId: Scalars['ID']['input'];
  /** The pet. */
  petId: Scalars['ID']['input'];
};

/** Narrows the upcoming vaccines. */
export type UpcomingVaccinesFilter = {
  /** Only this pet's. */
  petId?: InputMaybe<Scalars['ID']['input']>;
};

/** Changes to the caller's clinic. Left-out fields keep their value; null clears. */
export type UpdateClinicInput = {
  /** Street address. */
  address?: InputMaybe<Scalars['String']['input']>;
  /** Booking rules to change. */
  appointmentSettings?: InputMaybe<AppointmentSettingsInput>;
  /** Replaces the week: up to 7 days, each once; days left out are closed. */
  businessHours?: InputMaybe<Array<DayHoursInput>>;
  /** City. */
  city?: InputMaybe<Scalars['String']['input']>;
  /** Public e-mail. */
  email?: InputMaybe<Scalars['String']['input']>;
  /** Replaces the switched-on features. */
  featuresEnabled?: InputMaybe<Array<ClinicFeature>>;
  /** Trading name, 1-200 characters. */
  name?: InputMaybe<Scalars['String']['input']>;
  /** Notification switches to change. */
  notificationSettings?: InputMaybe<NotificationSettingsInput>;
  /** Public phone. */
  phone?: InputMaybe<Scalars['String']['input']>;
  /** Replaces all links. */
  socialLinks?: InputMaybe<SocialLinksInput>;
  /** IANA time zone of the clinic's day. */
  timezone?: InputMaybe<Scalars['String']['input']>;
  /** Website, https URL. */
  website?: InputMaybe<Scalars['String']['input']>;
};

/** Changes to an exam room; omitted fields stay as they are. */
export type UpdateExamRoomInput = {
  /** New capacity, 1-50; not below what is already booked from now on. */
  capacity?: InputMaybe<Scalars['Int']['input']>;
  /** New position. */
  displayOrder?: InputMaybe<Scalars['Int']['input']>;
  /** New equipment list (replaces it). */
  equipment?: InputMaybe<Array<Scalars['String']['input']>>;
  /** The room. */
  examRoomId: Scalars['ID']['input'];
  /** False takes the room out of use (only when nothing is booked in it from now on). */
  isActive?: InputMaybe<Scalars['Boolean']['input']>;
  /** New name, unique in the clinic ignoring case. */
  name?: InputMaybe<Scalars['String']['input']>;
  /** New use. */
  roomType?: InputMaybe<RoomType>;
};

/** How the clinic invoices; omitted fields keep their value, null clears. */
export type UpdateInvoiceSettingsInput = {
  /** 3 digits. */
  establishment?: InputMaybe<Scalars['String']['input']>;
  /** Business name. */
  legalName?: InputMaybe<Scalars['String']['input']>;
  /** 3 digits. */
  pointOfSale?: InputMaybe<Scalars['String']['input']>;
  /** Catalogue prices include IVA. */
  pricesIncludeIva?: InputMaybe<Scalars['Boolean']['input']>;
  /** The clinic's RUC, e.g. 80012345-6. */
  ruc?: InputMaybe<Scalars['String']['input']>;
  /** Timbrado, 8 digits. */
  timbrado?: InputMaybe<Scalars['String']['input']>;
  /** Its last day. */
  timbradoValidUntil?: InputMaybe<Scalars['Date']['input']>;
};

/** Changes to an unsigned note; omitted fields keep their value, null clears. */
export type UpdateMedicalRecordInput = {
  /** A. */
  assessment?: InputMaybe<Scalars['String']['input']>;
  /** O: per minute. */
  heartRate?: InputMaybe<Scalars['Int']['input']>;
  /** Other notes. */
  notes?: InputMaybe<Scalars['String']['input']>;
  /** O. */
  objective?: InputMaybe<Scalars['String']['input']>;
  /** P. */
  plan?: InputMaybe<Scalars['String']['input']>;
  /** A: problems assessed. */
  problemIds?: InputMaybe<Array<Scalars['ID']['input']>>;
  /** The note. */
  recordId: Scalars['ID']['input'];
  /** O: per minute. */
  respiratoryRate?: InputMaybe<Scalars['Int']['input']>;
  /** S. */
  subjective?: InputMaybe<Scalars['String']['input']>;
  /** O: °C. */
  temperatureC?: InputMaybe<Scalars['Float']['input']>;
  /** New title. */
  title?: InputMaybe<Scalars['String']['input']>;
  /** O: kilograms. */
  weightKg?: InputMaybe<Scalars['Float']['input']>;
};

/** Changes to a client. Left-out fields keep their value; null clears. */
export type UpdateOwnerInput = {
  /** Street and number. */
  addressLine1?: InputMaybe<Scalars['String']['input']>;
  /** Apartment, floor, reference. */
  addressLine2?: InputMaybe<Scalars['String']['input']>;
  /** City. */
  city?: InputMaybe<Scalars['String']['input']>;
  /** What they agree to receive (merged into what is stored). */
  communicationPreferences?: InputMaybe<CommunicationPreferencesInput>;
  /** ISO 3166-1 alpha-2. */
  country?: InputMaybe<Scalars['String']['input']>;
  /** Document number; unique in the clinic. */
  documentNumber?: InputMaybe<Scalars['String']['input']>;
  /** CI, RUC, ... */
  documentType?: InputMaybe<DocumentType>;
  /** E-mail address; unique in the clinic. */
  email?: InputMaybe<Scalars['String']['input']>;
  /** Whom to call in an emergency. */
  emergencyContactName?: InputMaybe<Scalars['String']['input']>;
  /** Their phone, any format. */
  emergencyContactPhone?: InputMaybe<Scalars['String']['input']>;
  /** Name, 1-200 characters. */
  fullName?: InputMaybe<Scalars['String']['input']>;
  /** BCP 47 locale. */
  locale?: InputMaybe<Scalars['String']['input']>;
  /** The owner (a Profile ID). */
  ownerId: Scalars['ID']['input'];
  /** Phone in any format; stored as E.164. */
  phone?: InputMaybe<Scalars['String']['input']>;
  /** Postal code. */
  postalCode?: InputMaybe<Scalars['String']['input']>;
  /** How they prefer to be reached. */
  preferredContactMethod?: InputMaybe<ContactMethod>;
  /** Another phone, any format. */
  secondaryPhone?: InputMaybe<Scalars['String']['input']>;
  /** State or department. */
  state?: InputMaybe<Scalars['String']['input']>;
  /** IANA time zone. */
  timezone?: InputMaybe<Scalars['String']['input']>;
};

/** Changes to an alert. Left-out fields keep their value. */
export type UpdatePatientAlertInput = {
  /** The alert. */
  alertId: Scalars['ID']['input'];
  /** What kind of warning. */
  alertType?: InputMaybe<AlertType>;
  /** New expiry, in the future; null: never expires. */
  expiresAt?: InputMaybe<Scalars['DateTime']['input']>;
  /** Details; null clears. */
  message?: InputMaybe<Scalars['String']['input']>;
  /** How loud. */
  severity?: InputMaybe<AlertSeverity>;
  /** Short text, 1-200 characters. */
  title?: InputMaybe<Scalars['String']['input']>;
};

/** Changes to a problem-list entry. Left-out fields keep their value. */
export type UpdatePatientProblemInput = {
  /** ICD code; null clears. */
  icdCode?: InputMaybe<Scalars['String']['input']>;
  /** Notes; null clears. */
  notes?: InputMaybe<Scalars['String']['input']>;
  /** When it began; not in the future nor after the resolved date. */
  onsetDate?: InputMaybe<Scalars['Date']['input']>;
  /** The entry. */
  problemId: Scalars['ID']['input'];
  /** Name, 1-200 characters. */
  problemName?: InputMaybe<Scalars['String']['input']>;
  /** Severity; null clears. */
  severity?: InputMaybe<ProblemSeverity>;
};

/** Care details of a pet. Left-out fields keep their value; null clears. */
export type UpdatePetInput = {
  /** Temperament and handling notes. */
  behavioralNotes?: InputMaybe<Scalars['String']['input']>;
  /** Breed. */
  breed?: InputMaybe<Scalars['String']['input']>;
  /** Coat or plumage color. */
  color?: InputMaybe<Scalars['String']['input']>;
  /** Date of birth; not in the future. */
  dateOfBirth?: InputMaybe<Scalars['Date']['input']>;
  /** An insurance policy of this same pet. */
  insurancePolicyId?: InputMaybe<Scalars['ID']['input']>;
  /** Spayed or castrated. */
  isNeutered?: InputMaybe<Scalars['Boolean']['input']>;
  /** Microchip number; unique in the clinic. */
  microchipId?: InputMaybe<Scalars['String']['input']>;
  /** The pet's name, 1-200 characters. */
  name?: InputMaybe<Scalars['String']['input']>;
  /** The pet. */
  petId: Scalars['ID']['input'];
  /** When the owner prefers to come. */
  preferredAppointmentTime?: InputMaybe<PreferredTime>;
  /** A vet or admin of the clinic (a Profile ID). */
  primaryVetId?: InputMaybe<Scalars['ID']['input']>;
  /** Sex. */
  sex?: InputMaybe<Sex>;
  /** Species. */
  species?: InputMaybe<Species>;
  /** Weight in kg; each change is kept in `weightHistory`. */
  weightKg?: InputMaybe<Scalars['Float']['input']>;
};

/** Changes to a product; omitted fields keep their value. */
export type UpdateProductInput = {
  /** New kind. */
  category?: InputMaybe<ProductCategory>;
  /** Sell it or not. */
  isActive?: InputMaybe<Scalars['Boolean']['input']>;
  /** 10, 5 or 0 (exempt). */
  ivaRate?: InputMaybe<Scalars['Int']['input']>;
  /** New name. */
  name?: InputMaybe<Scalars['String']['input']>;
  /** Whole PYG (the currency has no cents). */
  price?: InputMaybe<Scalars['Decimal']['input']>;
  /** The product. */
  productId: Scalars['ID']['input'];
  /** New stock code; null clears. */
  sku?: InputMaybe<Scalars['String']['input']>;
};

/** Contact details of a profile. Left-out fields keep their value; null clears. */
export type UpdateProfileInput = {
  /** Street and number. */
  addressLine1?: InputMaybe<Scalars['String']['input']>;
  /** Apartment, floor, reference. */
  addressLine2?: InputMaybe<Scalars['String']['input']>;
  /** City. */
  city?: InputMaybe<Scalars['String']['input']>;
  /** What they agree to receive. */
  communicationPreferences?: InputMaybe<CommunicationPreferencesInput>;
  /** ISO 3166-1 alpha-2 code, e.g. PY. */
  country?: InputMaybe<Scalars['String']['input']>;
  /** Whom to call in an emergency. */
  emergencyContactName?: InputMaybe<Scalars['String']['input']>;
  /** Their phone. */
  emergencyContactPhone?: InputMaybe<Scalars['String']['input']>;
  /** BCP 47 locale, e.g. es-PY. */
  locale?: InputMaybe<Scalars['String']['input']>;
  /** Phone, international format. */
  phone?: InputMaybe<Scalars['String']['input']>;
  /** Postal code. */
  postalCode?: InputMaybe<Scalars['String']['input']>;
  /** How they prefer to be reached. */
  preferredContactMethod?: InputMaybe<ContactMethod>;
  /** Whose profile; default the caller's. Owners edit only their own. */
  profileId?: InputMaybe<Scalars['ID']['input']>;
  /** Another phone. */
  secondaryPhone?: InputMaybe<Scalars['String']['input']>;
  /** State or department. */
  state?: InputMaybe<Scalars['String']['input']>;
  /** IANA time zone, e.g. America/Asuncion. */
  timezone?: InputMaybe<Scalars['String']['input']>;
};

/** Changes to a discount code; omitted fields keep their value, null clears. */
export type UpdatePromotionInput = {
  /** New item list; null: every line in scope. */
  applicableItems?: InputMaybe<Array<Scalars['ID']['input']>>;
  /** New scope. */
  appliesTo?: InputMaybe<PromotionScope>;
  /** New code; unique in the clinic, ignoring case. */
  code?: InputMaybe<Scalars['String']['input']>;
  /** New description. */
  description?: InputMaybe<Scalars['String']['input']>;
  /** New type. */
  discountType?: InputMaybe<DiscountType>;
  /** New value. */
  discountValue?: InputMaybe<Scalars['Decimal']['input']>;
  /** New end. */
  expiresAt?: InputMaybe<Scalars['DateTime']['input']>;
  /** The promotion. */
  id: Scalars['ID']['input'];
  /** Switch on or off. */
  isActive?: InputMaybe<Scalars['Boolean']['input']>;
  /** New cap. */
  maximumDiscount?: InputMaybe<Scalars['Decimal']['input']>;
  /** New minimum. */
  minimumPurchase?: InputMaybe<Scalars['Decimal']['input']>;
  /** New name. */
  name?: InputMaybe<Scalars['String']['input']>;
  /** New start. */
  startsAt?: InputMaybe<Scalars['DateTime']['input']>;
  /** New total limit; not below the uses so far. */
  usageLimit?: InputMaybe<Scalars['Int']['input']>;
  /** New per-customer limit. */
  usagePerCustomer?: InputMaybe<Scalars['Int']['input']>;
};

/** Changes to a service; omitted fields keep their value. */
export type UpdateServiceInput = {
  /** New kind. */
  category?: InputMaybe<ServiceCategory>;
  /** New text; null clears. */
  description?: InputMaybe<Scalars['String']['input']>;
  /** 1-1440 minutes. */
  durationMinutes?: InputMaybe<Scalars['Int']['input']>;
  /** Offer it or not. */
  isActive?: InputMaybe<Scalars['Boolean']['input']>;
  /** 10, 5 or 0 (exempt). */
  ivaRate?: InputMaybe<Scalars['Int']['input']>;
  /** New name. */
  name?: InputMaybe<Scalars['String']['input']>;
  /** Whole PYG (the currency has no cents). */
  price?: InputMaybe<Scalars['Decimal']['input']>;
  /** The service. */
  serviceId: Scalars['ID']['input'];
};

/** Changes to a plan; omitted fields keep their value. `isActive: false` retires it. */
export type UpdateSubscriptionPlanInput = {
  /** The plan's id. */
  code: Scalars['String']['input'];
  /** New description. */
  description?: InputMaybe<Scalars['String']['input']>;
  /** New feature list (replaces). */
  features?: InputMaybe<Array<Scalars['String']['input']>>;
  /** False retires the plan: no new subscriptions; existing ones go on. */
  isActive?: InputMaybe<Scalars['Boolean']['input']>;
  /** New limits (replace the old ones). */
  limits?: InputMaybe<Scalars['JSON']['input']>;
  /** New name. */
  name?: InputMaybe<Scalars['String']['input']>;
  /** New monthly price. */
  priceMonthly?: InputMaybe<Scalars['Decimal']['input']>;
  /** New yearly price. */
  priceYearly?: InputMaybe<Scalars['Decimal']['input']>;
};

/** Changes a clinic's current subscription. Omitted fields keep their value. */
export type UpdateTenantSubscriptionInput = {
  /** End with the current period. */
  cancelAtPeriodEnd?: InputMaybe<Scalars['Boolean']['input']>;
  /** Move to another active plan. */
  planCode?: InputMaybe<Scalars['String']['input']>;
  /** TRIALING -> ACTIVE|CANCELED; ACTIVE -> PAST_DUE|CANCELED|SUSPENDED; PAST_DUE -> ACTIVE|CANCELED|SUSPENDED; SUSPENDED -> ACTIVE|CANCELED; CANCELED is final. */
  status?: InputMaybe<SubscriptionStatus>;
  /** The clinic's tenant id. */
  tenantId: Scalars['String']['input'];
};

/** What a clinic did in one calendar month (its own time zone), counted by the database. */
export type UsagePeriod = {
  __typename?: 'UsagePeriod';
  /** Distinct profiles (staff or owners) that booked an appointment, raised an alert or a problem, opened an anesthesia log or recorded vitals in the month. */
  activeUsers: Scalars['Int']['output'];
  /** Appointments booked in the month. */
  appointmentsCreated: Scalars['Int']['output'];
  /** Reminders sent by e-mail in the month. */
  emailsSent: Scalars['Int']['output'];
  /** Invoices created in the month. */
  invoicesCreated: Scalars['Int']['output'];
  /** Messages in the clinic's conversations in the month. */
  messagesSent: Scalars['Int']['output'];
  /** First day of the next month (exclusive). */
  periodEnd: Scalars['Date']['output'];
  /** First day of the month. */
  periodStart: Scalars['Date']['output'];
  /** Reminders sent by SMS in the month. */
  smsSent: Scalars['Int']['output'];
};

/** A phone or browser that receives the user's push notifications. */
export type UserDevice = Node & {
  __typename?: 'UserDevice';
  /** Version of the VetQL client app. */
  appVersion: Maybe<Scalars['String']['output']>;
  /** When it was first registered. */
  createdAt: Scalars['DateTime']['output'];
  /** Hardware model. */
  deviceModel: Maybe<Scalars['String']['output']>;
  /** Name the user gave it. */
  deviceName: Maybe<Scalars['String']['output']>;
  /** Platform. */
  deviceType: Maybe<DeviceType>;
  /** Opaque global ID. Stable; pass it to `node(id:)` or to arguments that take this type's ID. */
  id: Scalars['ID']['output'];
  /** Receives pushes: not deactivated and used within the last 270 days. */
  isActive: Scalars['Boolean']['output'];
  /** When the app last reported in from it. */
  lastUsedAt: Scalars['DateTime']['output'];
  /** Operating system version. */
  osVersion: Maybe<Scalars['String']['output']>;
};

/** Result of a device mutation. */
export type UserDevicePayload = {
  __typename?: 'UserDevicePayload';
  /** The device after the change; null on error. */
  device: Maybe<UserDevice>;
  /** What to fix; empty on success. */
  userErrors: Array<RecordsUserError>;
};

/** A vaccine given to a patient, and when its next dose is due. */
export type Vaccine = Node & {
  __typename?: 'Vaccine';
  /** Who gave it. */
  administeredBy: Maybe<Profile>;
  /** Day it was given. */
  administeredDate: Scalars['Date']['output'];
  /** When it was recorded. */
  createdAt: Scalars['DateTime']['output'];
  /** Dose given, e.g. 1 mL. */
  dose: Maybe<Scalars['String']['output']>;
  /** Opaque global ID. Stable; pass it to `node(id:)` or to arguments that take this type's ID. */
  id: Scalars['ID']['output'];
  /** Lot (batch) number. */
  lot: Maybe<Scalars['String']['output']>;
  /** Expiry date of the lot. */
  lotExpiry: Maybe<Scalars['Date']['output']>;
  /** Maker. */
  manufacturer: Maybe<Scalars['String']['output']>;
  /** The visit note it was given in, if any. */
  medicalRecordId: Maybe<Scalars['ID']['output']>;
  /** Vaccine, e.g. Antirrábica, Séxtuple. */
  name: Scalars['String']['output'];
  /** When the next dose is due; after the day given. */
  nextDoseDate: Maybe<Scalars['Date']['output']>;
  /** Notes. */
  notes: Maybe<Scalars['String']['output']>;
  /** The patient. */
  pet: Maybe<Pet>;
  /** The catalogue's product given. Staff only. */
  product: Maybe<Product>;
  /** How it was given. */
  route: Maybe<VaccineRoute>;
  /** Where, e.g. right shoulder. */
  site: Maybe<Scalars['String']['output']>;
};

/** A page of a list. Page with `first`/`after` forwards, `last`/`before` backwards. */
export type VaccineConnection = {
  __typename?: 'VaccineConnection';
  /** The items of this page, each with its cursor. */
  edges: Array<VaccineEdge>;
  /** The items of this page, without cursors. */
  nodes: Array<Vaccine>;
  /** Cursors and whether more pages exist. */
  pageInfo: PageInfo;
  /** Items in the whole list, all pages together, as visible to the caller. */
  totalCount: Scalars['Int']['output'];
};

/** An item of a list with its cursor. */
export type VaccineEdge = {
  __typename?: 'VaccineEdge';
  /** Opaque position of this item; pass as `after` or `before`. */
  cursor: Scalars['String']['output'];
  /** The item. */
  node: Vaccine;
};

/** Result of `recordVaccine`. */
export type VaccinePayload = {
  __typename?: 'VaccinePayload';
  /** What to fix; when not empty, nothing changed. */
  userErrors: Array<VisitUserError>;
  /** The vaccine recorded. */
  vaccine: Maybe<Vaccine>;
};

/** How a vaccine was given. */
export type VaccineRoute =
  | 'INTRAMUSCULAR'
  | 'INTRANASAL'
  | 'ORAL'
  | 'OTHER'
  | 'SUBCUTANEOUS'
  | 'TRANSDERMAL';

/** Who is asking: the identity in the bearer token. */
export type Viewer = {
  __typename?: 'Viewer';
  /** The clinic the caller belongs to; null for the platform operator. */
  clinic: Maybe<Clinic>;
  /** The caller's own profile; null for the platform operator. */
  profile: Maybe<Profile>;
  /** The caller's role. */
  role: Role;
};

/** Why a visit-note or vaccine mutation refused some input. */
export type VisitErrorCode =
  | 'APPOINTMENT_NOT_OF_PET'
  | 'INVALID'
  | 'LOT_EXPIRED'
  | 'NEXT_DOSE_BEFORE_GIVEN'
  | 'NOT_FOUND'
  | 'NOT_STAFF'
  | 'OUT_OF_RANGE'
  | 'PROBLEM_NOT_OF_PET'
  | 'RECORD_SIGNED';

/** Something in the input a user can fix. */
export type VisitUserError = {
  __typename?: 'VisitUserError';
  /** Stable code to branch on. */
  code: VisitErrorCode;
  /** The offending input, e.g. `nextDoseDate`. */
  field: Maybe<Scalars['String']['output']>;
  /** Human-readable explanation. */
  message: Scalars['String']['output'];
};

/** One set of vital signs from a monitor. Omit what was not measured. */
export type VitalReadingInput = {
  /** Depth as judged. */
  anesthesiaDepth?: InputMaybe<AnesthesiaDepth>;
  /** mmHg, 0-300, <= systolic. */
  bloodPressureDiastolic?: InputMaybe<Scalars['Int']['input']>;
  /** MAP, mmHg 0-300. */
  bloodPressureMean?: InputMaybe<Scalars['Int']['input']>;
  /** mmHg, 0-350. */
  bloodPressureSystolic?: InputMaybe<Scalars['Int']['input']>;
  /** The monitor's own id for this reading. A retry with the same id is not stored twice. */
  clientReadingId?: InputMaybe<Scalars['String']['input']>;
  /** End-tidal CO2, mmHg 0-150. */
  etco2?: InputMaybe<Scalars['Float']['input']>;
  /** Beats per minute, 0-400. */
  heartRate?: InputMaybe<Scalars['Int']['input']>;
  /** IV fluids, mL/kg/h 0-500. */
  ivFluidsRate?: InputMaybe<Scalars['Float']['input']>;
  /** Remark, at most 2000 characters. */
  notes?: InputMaybe<Scalars['String']['input']>;
  /** When taken; default: now. */
  recordedAt?: InputMaybe<Scalars['DateTime']['input']>;
  /** Breaths per minute, 0-200. */
  respiratoryRate?: InputMaybe<Scalars['Int']['input']>;
  /** Oxygen saturation, percent 0-100. */
  spo2?: InputMaybe<Scalars['Float']['input']>;
  /** Degrees Celsius, 20-45. */
  temperature?: InputMaybe<Scalars['Float']['input']>;
};

/** One set of vital signs recorded during anesthesia. */
export type VitalSign = Node & {
  __typename?: 'VitalSign';
  /** Depth as judged by the anesthetist. */
  anesthesiaDepth: Maybe<AnesthesiaDepth>;
  /** Diastolic arterial pressure, mmHg. */
  bloodPressureDiastolic: Maybe<Scalars['Int']['output']>;
  /** Mean arterial pressure (MAP), mmHg. */
  bloodPressureMean: Maybe<Scalars['Int']['output']>;
  /** Systolic arterial pressure, mmHg. */
  bloodPressureSystolic: Maybe<Scalars['Int']['output']>;
  /** Opaque position of this reading in commit order: pass as `vitalsRecorded(after:)` to resume right after it, or as `AnesthesiaLog.vitals(after:)`; the same value as this reading's cursor in that connection. */
  cursor: Scalars['String']['output'];
  /** End-tidal CO2, mmHg. */
  etco2: Maybe<Scalars['Float']['output']>;
  /** Heart rate, beats per minute. */
  heartRate: Maybe<Scalars['Int']['output']>;
  /** Opaque global ID. Stable; pass it to `node(id:)` or to arguments that take this type's ID. */
  id: Scalars['ID']['output'];
  /** IV fluid rate, mL/kg/h. */
  ivFluidsRate: Maybe<Scalars['Float']['output']>;
  /** Free-text remark on this reading. */
  notes: Maybe<Scalars['String']['output']>;
  /** When the reading was taken. */
  recordedAt: Scalars['DateTime']['output'];
  /** Respiratory rate, breaths per minute. */
  respiratoryRate: Maybe<Scalars['Int']['output']>;
  /** Position in the log's commit order (1, 2, 3, ...): later commits have higher numbers, whatever their `recordedAt`. */
  sequence: Scalars['Int']['output'];
  /** Oxygen saturation, percent (0-100). */
  spo2: Maybe<Scalars['Float']['output']>;
  /** Body temperature, degrees Celsius. */
  temperature: Maybe<Scalars['Float']['output']>;
};

/** A page of a list. Page with `first`/`after` forwards, `last`/`before` backwards. */
export type VitalSignConnection = {
  __typename?: 'VitalSignConnection';
  /** The items of this page, each with its cursor. */
  edges: Array<VitalSignEdge>;
  /** The items of this page, without cursors. */
  nodes: Array<VitalSign>;
  /** Cursors and whether more pages exist. */
  pageInfo: PageInfo;
  /** Items in the whole list, all pages together, as visible to the caller. */
  totalCount: Scalars['Int']['output'];
};

/** An item of a list with its cursor. */
export type VitalSignEdge = {
  __typename?: 'VitalSignEdge';
  /** Opaque position of this item; pass as `after` or `before`. */
  cursor: Scalars['String']['output'];
  /** The item. */
  node: VitalSign;
};

/** The invoice to void. */
export type VoidInvoiceInput = {
  /** Global ID of the invoice (Invoice:<uuid>). */
  invoiceId: Scalars['ID']['input'];
};

/** Result of `voidInvoice`. */
export type VoidInvoicePayload = {
  __typename?: 'VoidInvoicePayload';
  /** The voided invoice. */
  invoice: Maybe<InvoiceTotals>;
  /** Promotion uses given back by voiding it. */
  promotionUsesReturned: Scalars['Int']['output'];
  /** What to fix; empty on success. */
  userErrors: Array<PromotionUserError>;
};

/** A day of the week, as business hours name it. */
export type Weekday =
  | 'FRI'
  | 'MON'
  | 'SAT'
  | 'SUN'
  | 'THU'
  | 'TUE'
  | 'WED';

export type OverviewQueryVariables = Exact<{ [key: string]: never; }>;


export type OverviewQuery = { __typename?: 'Query', viewer: { __typename?: 'Viewer', role: Role, clinic: { __typename?: 'Clinic', name: string } | null } | null, pets: { __typename?: 'PetConnection', totalCount: number, nodes: Array<{ __typename?: 'Pet', id: string, name: string, species: Species, owner: { __typename?: 'Profile', fullName: string, phone: string | null } | null, alerts: Array<{ __typename?: 'PatientAlert', alertType: AlertType, severity: AlertSeverity, title: string }>, problems: Array<{ __typename?: 'PatientProblem', problemName: string, diagnosisCode: { __typename?: 'DiagnosisCode', code: string, term: string } | null }>, anesthesiaLogs: { __typename?: 'AnesthesiaLogConnection', nodes: Array<{ __typename?: 'AnesthesiaLog', id: string, procedureName: string, outcome: AnesthesiaOutcome | null, vitals: { __typename?: 'VitalSignConnection', nodes: Array<{ __typename?: 'VitalSign', recordedAt: string, heartRate: number | null, spo2: number | null, temperature: number | null }> } }> } }> } };

export type WatchVitalsSubscriptionVariables = Exact<{
  log: Scalars['ID']['input'];
  since?: InputMaybe<Scalars['DateTime']['input']>;
}>;


export type WatchVitalsSubscription = { __typename?: 'Subscription', vitalsRecorded: { __typename?: 'VitalSign', id: string, recordedAt: string, heartRate: number | null, spo2: number | null, etco2: number | null, bloodPressureMean: number | null, temperature: number | null, anesthesiaDepth: AnesthesiaDepth | null } };
