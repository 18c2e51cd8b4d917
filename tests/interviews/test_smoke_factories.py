from tests.factories import AttendanceFactory


def test_attendance_factory_links_interviewer_of_same_application(db):
    attendance = AttendanceFactory()
    assert attendance.interviewer.application == attendance.interview.application
